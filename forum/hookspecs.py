"""Every plugin hook of the forum, documented where it is declared.

A plugin is a module (or package) that implements some of these functions,
decorated with ``@hookimpl``::

    from forum import hookimpl

    @hookimpl
    def register_settings(app):
        return {"GREETING": "Moin"}

An implementation may take any subset of a hook's arguments, by name, so new
arguments never break a plugin. Hooks are synchronous. Families:

- ``register_*`` return things to add (blueprints, commands, review kinds).
- ``prepare_*`` adjust an object in place.
- ``extra_*`` contribute to a page or a document.
- past-tense names (``post_created``) are events, called after the commit.

docs/plugins.md is the guide; ``test_every_hook_is_documented_and_tested`` in
tests/test_plugin_system.py fails when a hook here has no docstring example, no
section in the guide or no test of its own.
"""

import pluggy

hookspec = pluggy.HookspecMarker("forum")
hookimpl = pluggy.HookimplMarker("forum")


# --- Start-up ---------------------------------------------------------------------------


@hookspec
def register_settings(app):
    """Return default settings (a dict) for the plugin's own config keys.

    Called once in the app factory, before blueprints are registered. A value
    the deployer already set (instance/config.py, FORUM_* variables) wins.

    Example::

        @hookimpl
        def register_settings(app):
            return {"EVENTS_CATEGORIES": ["veranstaltungen-qualifizierung"]}
    """


@hookspec
def register_blueprints(app):
    """Return a list of Flask blueprints to register on the app.

    A blueprint may bring its own ``template_folder`` and ``static_folder``;
    that is how a plugin ships templates and static files. Called once in the
    app factory.

    Example::

        bp = Blueprint("events", __name__, template_folder="templates")

        @hookimpl
        def register_blueprints(app):
            return [bp]
    """


@hookspec
def register_commands(app):
    """Return a list of click commands (or groups) for ``flask --app forum``.

    Called once in the app factory.

    Example::

        @click.command("send-reminders")
        def send_reminders(): ...

        @hookimpl
        def register_commands(app):
            return [send_reminders]
    """


@hookspec
def register_migrations(app):
    """Return the path of the plugin's Alembic migrations folder, or None.

    The folder holds a migration branch of the plugin's own tables (its first
    revision has ``branch_labels = ("<plugin>",)`` and ``depends_on`` a core
    revision). ``flask --app forum db upgrade`` applies every enabled plugin's
    branch; a disabled plugin's tables and data stay untouched.

    Example::

        @hookimpl
        def register_migrations(app):
            return str(Path(__file__).parent / "migrations")
    """


# --- Markdown ---------------------------------------------------------------------------


@hookspec
def prepare_markdown(parser):
    """Adjust the markdown-it parser in place (add a plugin or a render rule).

    Called once per app when the cooker is built. Whatever HTML the parser
    makes still passes the sanitiser: allow new tags with
    ``register_allowed_html``.

    Example::

        from mdit_py_plugins.footnote import footnote_plugin

        @hookimpl
        def prepare_markdown(parser):
            parser.use(footnote_plugin)
    """


@hookspec
def register_allowed_html():
    """Return ``{tag: [attribute, ...]}`` to add to the sanitiser's allow-list.

    Called once per app when the cooker is built. ``on*`` attributes and
    ``style`` are never allowed, whatever a plugin asks for.

    Example::

        @hookimpl
        def register_allowed_html():
            return {"section": ["class"], "sup": ["id"]}
    """


# --- Posts ------------------------------------------------------------------------------


@hookspec
def validate_post(user, category, topic, post, title, raw, extra):
    """Accept, reject or hold a new or edited post before it is written.

    Called in ``submit_topic``, ``submit_post`` and ``edit_post``. ``topic``
    is None for a new topic, ``post`` is None unless it is an edit. ``extra``
    holds the submitted form fields named ``plugin.*``.
    Return None to accept, ``Reject("message for the user")`` or
    ``Hold("reason for the moderator")`` (both from ``forum.plugins``). A
    plugin that raises blocks the write with a generic message (fail closed).

    Example::

        from forum.plugins import Reject

        @hookimpl
        def validate_post(raw):
            if "http://" in raw:
                return Reject("Bitte nur https-Links.")
    """


@hookspec
def post_created(post, topic, user, extra):
    """React to a published reply or first post (after the commit).

    ``extra`` holds the submitted ``plugin.*`` form fields (for a held post:
    those submitted with it). Called once per published post; a held post
    counts when a moderator approves it. Personal messages are posts too: a
    plugin that shows or sends a post elsewhere asks
    ``forum.permissions.is_private(topic)`` (and who may read it) first.

    Example::

        @hookimpl
        def post_created(post, user):
            current_app.logger.info("%s wrote post %s", user.username, post.id)
    """


@hookspec
def post_edited(post, topic, user, reason, extra):
    """React to an edit of a post (after the commit); ``user`` is the editor.

    ``extra`` holds the edit form's ``plugin.*`` fields. Also called when the
    text stayed the same but the form carried such fields (``extra`` is not
    empty): only the plugin's own fields may have changed.

    Example::

        @hookimpl
        def post_edited(post, reason):
            audit(post.id, reason)
    """


@hookspec
def post_deleted(post, topic, user):
    """React to a soft delete (after the commit); ``user`` deleted it.

    Deleting a topic's first post deletes the topic; this hook then runs for
    that first post.

    Example::

        @hookimpl
        def post_deleted(post):
            forget(post.id)
    """


@hookspec
def post_restored(post, topic, user):
    """React to a restored post (after the commit); ``user`` restored it.

    Example::

        @hookimpl
        def post_restored(post):
            remember(post.id)
    """


@hookspec
def post_liked(post, topic, user):
    """React to ``user`` liking ``post`` (after the commit).

    Called when a like is added, not when it is taken back. The forum's own
    notifications use it to tell the author ("Anke and 3 others liked …").

    Example::

        @hookimpl
        def post_liked(post, user):
            stats.count_like(post.id, user.id)
    """


# --- Topics -----------------------------------------------------------------------------


@hookspec
def topic_created(topic, post, user, extra):
    """React to a new topic (after the commit); ``post`` is its first post.

    ``extra`` holds the submitted ``plugin.*`` form fields, e.g. an event's
    date entered in the composer.

    Example::

        @hookimpl
        def topic_created(topic, extra):
            if extra.get("plugin.events.start"):
                save_event(topic, extra)
    """


@hookspec
def topic_closed(topic, user, closed):
    """React to a topic being closed (``closed`` True) or reopened (after the commit).

    Example::

        @hookimpl
        def topic_closed(topic, closed):
            if closed:
                stop_registrations(topic.id)
    """


@hookspec
def topic_moved(topic, user, old_category, new_category):
    """React to a topic moved to another category (after the commit).

    Example::

        @hookimpl
        def topic_moved(topic, new_category):
            if new_category.slug not in allowed:
                hide_event(topic.id)
    """


# --- Users ------------------------------------------------------------------------------


@hookspec
def user_registered(user):
    """React to a new account (after the commit; it is an applicant yet).

    Example::

        @hookimpl
        def user_registered(user):
            welcome_series.start(user.id)
    """


@hookspec
def user_approved(user, moderator):
    """React to an applicant becoming a member (after the commit).

    ``moderator`` is None when approval is switched off or an invitation
    admitted the person.

    Example::

        @hookimpl
        def user_approved(user):
            add_to_newsletter(user.email)
    """


@hookspec
def user_suspended(user, moderator, until, reason):
    """React to a member being suspended until ``until`` (after the commit).

    Example::

        @hookimpl
        def user_suspended(user, until):
            cancel_rsvps(user.id, until)
    """


# --- Moderation -------------------------------------------------------------------------


@hookspec
def register_review_kinds():
    """Return a list of ``ReviewKind`` (from ``forum.plugins``) for the review queue.

    A kind names its template (rendered inside the queue's item card, with
    ``item`` in the context) and its actions: a mapping of action name to
    ``(label, function(moderator, item, form))``. A plugin adds items with
    ``forum.moderation.services.add_review_item(kind, ...)``.

    Example::

        @hookimpl
        def register_review_kinds():
            return [ReviewKind("event_report", "Gemeldete Veranstaltung",
                               "events/review_item.html",
                               {"dismiss": ("Erledigt", dismiss)})]
    """


# --- Notifications ----------------------------------------------------------------------


@hookspec(firstresult=True)
def describe_notification(kind, data, topic):
    """Return the sentence the notifications page shows for one of the plugin's
    notification kinds, or None for kinds it does not know.

    A plugin notifies with ``forum.notifications.services.notify(user_id,
    kind, topic_id=..., **data)``; ``data`` comes back here as stored, and
    ``topic`` is the topic named (None when there is none). The first plugin
    returning text wins; the forum's own kinds never reach this hook, and a
    kind nobody describes reads "News about “<title>”". Called while the page
    renders, in the reader's language: translate with ``gettext``. A plugin
    that raises is logged and the generic sentence is shown.

    Example::

        @hookimpl
        def describe_notification(kind, data):
            if kind == "solution_accepted":
                return _("Your answer in “%(title)s” was accepted as the solution.",
                         title=data["title"])
    """


# --- Search -----------------------------------------------------------------------------


@hookspec
def extra_search_fields(posts, session):
    """Return ``{post_id: text}``: extra words to index with some of ``posts``.

    ``posts`` is a batch of ``(post_id, topic_id, post_number)`` tuples whose
    search documents are being built (one call per batch, so a plugin needs
    one query, not one per post). The text is searched like the post's own.
    Query with ``session``: the indexer may run outside the request's session
    (after a commit, or in ``flask search reindex``). A post is indexed when
    it is written, before ``topic_created`` runs; a plugin that saves data in
    ``topic_created`` calls ``forum.search.enqueue("topic", topic.id)``.

    Example::

        @hookimpl
        def extra_search_fields(posts):
            firsts = {topic_id: post_id for post_id, topic_id, number in posts if number == 1}
            return {firsts[e.topic_id]: e.place for e in events_of(firsts)}
    """


@hookspec
def extra_search_boosts(posts, session):
    """Return ``{post_id: factor}``: how much more (or less) some of ``posts``
    count in the ranking by relevance.

    Called like ``extra_search_fields``, once per batch of ``(post_id,
    topic_id, post_number)`` tuples whose search documents are being built;
    query with ``session``. Factors of several plugins multiply; the product
    is kept between ``forum.search.backend.MIN_BOOST`` (0.8) and
    ``MAX_BOOST`` (1.25), so a boost reorders close matches and never lifts
    a weak match over a strong one. A plugin whose data changes calls
    ``forum.search.enqueue("topic", topic.id)`` so the posts are indexed
    again. The solved plugin counts the posts of solved topics 1.15 times.

    Example::

        @hookimpl
        def extra_search_boosts(posts, session):
            solved = solved_topic_ids(session, {topic_id for _p, topic_id, _n in posts})
            return {post_id: 1.15 for post_id, topic_id, _n in posts if topic_id in solved}
    """


@hookspec(firstresult=True)
def similar_topics(user, title, limit):
    """Return up to ``limit`` topics like ``title`` that ``user`` may read,
    best first (the new-topic composer's "check for similar topics").

    The forum's search answers it (forum/search/similar.py); a plugin that
    returns a list (not None) answers instead, e.g. from another index.

    Example::

        @hookimpl
        def similar_topics(user, title, limit):
            return my_index.lookup(title, readable_by=user)[:limit]
    """


@hookspec
def extra_search_results(topics, user):
    """Return ``{topic id: Contribution}`` to show under search results.

    Called once per page of results with its topics (which ``user`` may
    read), so a plugin needs one query, not one per topic. The template is
    rendered under the result's excerpt. Show only what ``user`` may read
    (``forum.permissions.findable_posts_clause``). The solved plugin quotes
    the accepted answer this way.

    Example::

        @hookimpl
        def extra_search_results(topics, user):
            answers = answers_among([t.id for t in topics], user)
            return {t: Contribution("solved/search_answer.html", {"post": p})
                    for t, p in answers.items()}
    """


@hookspec
def register_search_filters():
    """Return a list of ``SearchFilter`` (from ``forum.plugins``): new filter words.

    ``SearchFilter(name, handler)`` makes ``name:value`` work in queries; the
    handler gets the value and returns a SQL condition on ``Topic`` (or raises
    ``ValueError`` for a value it does not know). Called once per app.

    Example::

        @hookimpl
        def register_search_filters():
            return [SearchFilter("status", solved_condition)]
    """


# --- Permissions ------------------------------------------------------------------------


@hookspec(firstresult=True)
def permission_allowed(user, action, obj):
    """Decide whether ``user`` may do ``action`` (on ``obj``): True, False, or None.

    Called by ``forum.permissions.allowed(user, action, obj)``, the one place
    that decides actions by name. ``action`` is a dotted name: the forum's own
    (``topic.read``, ``topic.reply``, ``post.read``, ``post.edit``,
    ``post.delete``, ``post.like``, ``post.flag``, ``member.moderate``,
    ``account.log_in``) or a plugin's (``solved.accept``, ``events.rsvp``);
    ``obj`` is what the action is about (a topic, a post, a member, an event)
    or None. ``user`` is the current user, None or an anonymous user.

    Return True to allow, False to refuse, None to have no opinion. The first
    answer that is not None wins, later plugins in ``PLUGINS`` first; the
    built-in rules of forum.permissions answer last, and an action nobody
    answers is refused. A plugin that raises refuses (fail closed). Core
    pages call the functions of forum.permissions directly; their rules are
    what the built-in answers here, so a plugin asks ``topic.read`` instead of
    restating it.

    Example::

        @hookimpl
        def permission_allowed(user, action, obj):
            if action == "solved.accept":
                return permissions.is_staff(user) or user.id == obj.user_id
            return None
    """


# --- JSON API ---------------------------------------------------------------------------


@hookspec
def extra_api_fields(kind, obj, user):
    """Return a dict of fields to add to a serialised object of the JSON API.

    ``kind`` is "topic", "post", "user" or "category"; ``obj`` the model object; ``user``
    the viewer. Called for every object the API returns (``/latest.json``,
    ``/t/<id>.json``, ...). A plugin may not replace the core's fields.

    Example::

        @hookimpl
        def extra_api_fields(kind, obj):
            if kind == "topic":
                return {"has_accepted_answer": is_solved(obj.id)}
    """


# --- Pages ------------------------------------------------------------------------------


@hookspec
def prepare_topic_list(topics, user):
    """Load, in one go, what the plugin will show for a list of topics.

    Called once per topic list (latest, category, search results) before its
    ``topic_list_item`` outlets are rendered, so a plugin can fetch its data
    for all topics with one query (e.g. into ``flask.g``) instead of one per
    topic.

    Example::

        @hookimpl
        def prepare_topic_list(topics):
            g.solved_ids = solved_among([t.id for t in topics])
    """


@hookspec
def extra_outlet(outlet, user, topic, post, category, profile_user, organisation):
    """Contribute to a named place on a page; return ``Contribution`` or None.

    Outlets: ``topic_header``, ``below_first_post``, ``post_footer``,
    ``topic_list_item``, ``sidebar``, ``user_profile``, ``composer_fields``,
    ``organisation_profile`` (an organisation's page; ``organisation`` given).
    Arguments not meaningful for an outlet are None. ``Contribution(template,
    context)`` names a template of the plugin's blueprint; it is rendered with
    autoescaping like every page. A plugin that raises here is logged and its
    contribution left out; the page still renders.

    Example::

        @hookimpl
        def extra_outlet(outlet, topic):
            if outlet == "topic_header" and topic is not None:
                return Contribution("events/header.html", {"event": event_of(topic.id)})
    """


@hookspec
def register_nav_links(user):
    """Return a list of ``NavLink(label, endpoint)`` for the main navigation.

    Called for each page; return None (or nothing) for users who should not
    see the link.

    Example::

        @hookimpl
        def register_nav_links(user):
            return [NavLink(_l("Events"), "events.upcoming")]
    """
