"""What the access matrix sends to each endpoint: query strings, form fields, URL values.

``ROUTES`` declares, per endpoint, the parameters its view reads (see
test_parameters.py, which fails when a view reads one this table lacks).
Values are templates: ``{post_number}``, ``{topic_id}`` and friends come from
the content the request is about (tests/access/world.py), so ``?to={post_number}``
is sent once for every post of the world. A variant whose placeholders a
piece of content cannot fill is not sent for it. An endpoint missing here is
requested once per method, without parameters.
"""

import itertools
import re
from dataclasses import dataclass, field

from flask import Flask

#: When a route's POSTs run. "build": before the role's GET requests, so that
#: what they create (a bookmark, a flag, a reply) is looked at afterwards; they
#: must leave every secret where it is. "destroy": after every role's GET
#: requests (deleting, approving, moving, editing away a marker). "session":
#: last of all, as they change who is logged in.
BUILD, DESTROY, SESSION = "build", "destroy", "session"

#: A cursor after everything: the list starts from its first row.
CURSOR = "2999-01-01T00:00:00+00:00_999999999"
EVENT = {
    "plugin.events.starts_at": "2031-05-01T18:00",
    "plugin.events.ends_at": "2031-05-01T20:00",
    "plugin.events.place": "Kreishaus",
    "plugin.events.online_url": "https://example.org/treffen",
    "plugin.events.municipality": "gifhorn",
    "plugin.events.max_participants": "12",
    "plugin.events.registration_deadline": "2031-04-30T12:00",
}
NEW_PASSWORD = "ein ganz neues passwort"


@dataclass(frozen=True)
class Route:
    """The requests for one endpoint: GET query strings, POST form fields."""

    query: tuple[dict, ...] = ({},)
    form: tuple[dict, ...] = ({},)
    #: Samples for URL arguments that differ from the common ones (``VALUES``).
    args: dict = field(default_factory=dict)
    phase: str = BUILD
    #: Why the view reads parameters by other names than those declared here
    #: (``request.args.items()``, ``**request.args``, a prefix).
    reads_all: str = ""


_COMPOSER = {"raw": "Ein Beitrag aus der Matrix, freundlich und kurz.", "submit": "y"}
#: "Upload" pressed without a file (a form field, not a file): the composer asks for one.
_UPLOAD = {"upload": "y", "attachment": "", "attachment_alt": "Ein Bild"}
_TOPIC = {**_COMPOSER, "category": "{category_id}", "title": "Ein neues Thema aus der Matrix"}
_EDIT = {
    **_COMPOSER,
    "title": "Ein geänderter Titel aus der Matrix",
    "reason": "Tippfehler",
    "help_kind": "",
    "municipality": "",
}
_ACCOUNT = {
    "username": "neuling",
    "password": NEW_PASSWORD,
    "password_confirm": NEW_PASSWORD,
}
_NETIQUETTE = {"netiquette_version": "1", "accept_netiquette": "y"}
#: Forms that create content carry a submission key (forum/idempotency.py). Empty,
#: so every variant is really sent; repeats are tested in tests/test_idempotency.py.
_ONCE = {"submission_key": ""}
_CATEGORY = {
    "name": "Aus der Matrix", "slug": "aus-der-matrix", "description": "Kurz.",
    "color": "#3d8a5a", "kind": "discussion", "parent_id": "", "read_level": "staff",
    "write_level": "staff", "reply_level": "staff", "default_sort": "newest",
    "topic_template": "Vorlage", "hold_new_member_topics": "y",
}  # fmt: skip
_OPPORTUNITY = {
    "kind": "opportunity", "title": "Helfer gesucht", "description": "Kurz.",
    "municipality": "gifhorn", "place": "Halle", "from_home": "y", "commitment": "one_off",
    "hours_per_month": "4", "starts_on": "2031-05-01", "ends_on": "2031-06-01",
    "requirements": "", "suitable_for": "seniors", "contact_name": "", "cost": "",
    "registration": "",
}  # fmt: skip
#: One form for every step of the first start (each step reads its own fields).
_SETUP = {
    "name": "Forum aus der Matrix", "description": "", "organisation": "Landkreis",
    "address": "Schlossplatz 1", "represented_by": "", "email": "matrix@example.org",
    "phone": "", "responsible": "", "privacy_contact": "", "approval_required": "y",
    "questions": "Wer sind Sie?", "netiquette": "Freundlich bleiben.",
}  # fmt: skip

ROUTES: dict[str, Route] = {
    # --- boards -------------------------------------------------------------------------
    "boards.latest": Route(
        query=({}, {"before": CURSOR}, {"before": "kaputt"}, {"x": "1"}),
        reads_all="a member's list asked with any parameter is rendered, never kept (member_pages)",
    ),
    "boards.category": Route(
        query=(
            {},
            {"before": CURSOR},
            {"kind": "request", "municipality": "meinersen", "status": "kaputt"},
        ),
        args={"slug": ["{category_slug}", "falscher-slug"]},
        reads_all="passes its filter on to the next page's links and the slug redirect",
    ),
    "boards.topic": Route(
        query=({}, {"page": "2"}, {"page": "2", "x": "1"}),
        reads_all="a member's page asked with another parameter is rendered, never kept",
    ),
    "boards.new_topic": Route(
        query=({}, {"category": "{category_id}"}),
        form=(
            {
                **_TOPIC,
                **_ONCE,
                "raw": "",
                "preview": "y",
                "help_kind": "request",
                "municipality": "gifhorn",
            },
            {**_TOPIC, **EVENT},
            {**_TOPIC, **_ONCE, "similar": "y"},
            {**_TOPIC, **_ONCE, "plugin.organisation": "{organisation_id}"},
            {**_TOPIC, **_ONCE, **_UPLOAD},
        ),
        reads_all="hands the composer's plugin.* fields to the plugins",
    ),
    "boards.preview": Route(form=({"raw": "Eine **Vorschau**"},)),
    "boards.reply": Route(
        query=(
            {},
            {"to": "{post_number}"},
            {"to": "{post_number}", "quote": "1"},
        ),
        form=(
            {"raw": "", "reply_to_post_number": "{post_number}", "preview": "y", **_ONCE},
            {**_COMPOSER, "reply_to_post_number": "{post_number}"},
            {**_COMPOSER, **_ONCE, **_UPLOAD},
        ),
        reads_all="hands the composer's plugin.* fields to the plugins",
    ),
    "boards.edit_post": Route(
        form=(
            {**_EDIT, **_ONCE, "raw": "", "title": "", "preview": "y"},
            {**_EDIT, **EVENT},
            {**_EDIT, **_UPLOAD},
        ),
        phase=DESTROY,
        reads_all="hands the composer's plugin.* fields to the plugins",
    ),
    "boards.delete_post": Route(phase=DESTROY),
    "boards.restore_post": Route(phase=DESTROY),
    "boards.help_status": Route(form=({"status": "arranged"},)),
    # --- api ----------------------------------------------------------------------------
    "api.latest": Route(
        query=(
            {},
            {"before": CURSOR},
            {"order": "created", "ascending": "true", "page": "1", "per_page": "2"},
            {"order": "kaputt", "page": "-1", "per_page": "9999"},
        )
    ),
    "api.category": Route(
        query=(
            {},
            {"before": CURSOR},
            {"order": "views", "ascending": "true", "page": "0", "per_page": "5"},
        ),
        args={"slug": ["{category_slug}"]},
    ),
    "api.category_by_id": Route(
        query=(
            {},
            {"before": CURSOR},
            {"order": "posts", "ascending": "false", "page": "0", "per_page": "5"},
        ),
    ),
    "api.topic": Route(query=({}, {"page": "2"})),
    "api.topic_by_slug": Route(query=({}, {"page": "1"})),
    "api.topic_posts": Route(query=({"post_ids[]": "{post_id}"}, {"post_ids[]": "kaputt"})),
    "api.create_post": Route(
        form=(
            {
                "topic_id": "{topic_id}",
                "raw": "Eine Antwort aus der Matrix, freundlich.",
                "reply_to_post_number": "{post_number}",
            },
            {
                "title": "Ein neues Thema aus der Matrix",
                "raw": "Ein Text aus der Matrix.",
                "category": "{category_id}",
            },
            {"topic_id": "kaputt", "raw": ""},
        ),
        reads_all="Discourse clients send form data or JSON; payload() hands all of it on",
    ),
    "api.post_action": Route(
        form=(
            {"id": "{post_id}", "post_action_type_id": "2"},
            {"id": "{post_id}", "post_action_type_id": "7", "message": "Bitte ansehen."},
            {"id": "{post_id}", "post_action_type_id": "99"},
        ),
        reads_all="Discourse clients send form data or JSON; payload() hands all of it on",
    ),
    "api.search_json": Route(
        query=(
            {},
            {"q": "GEHEIM"},
            {"q": "GEHEIM", "page": "2"},
            {"q": "@autorin"},
            {"q": "in:kaputt"},
        )
    ),
    "api.latest_feed": Route(query=({}, {"key": "{forum_feed_key}"}, {"key": "kaputt"})),
    "api.category_feed": Route(
        query=({}, {"key": "{forum_feed_key}"}, {"key": "kaputt"}),
        args={"slug": ["{category_slug}"]},
    ),
    "api.topic_feed": Route(query=({}, {"key": "{forum_feed_key}"}, {"key": "kaputt"})),
    "api.user_feed": Route(query=({}, {"key": "{forum_feed_key}"}, {"key": "kaputt"})),
    # The organisations' and opportunities' feeds (forum/api/org_feed_views.py).
    "api.directory_feed": Route(
        query=(
            {},
            {"key": "{forum_feed_key}"},
            {"key": "kaputt"},
            {"key": "{forum_feed_key}", "municipality": "brome", "q": "GEHEIM"},
            {"field": "sport", "seeking": "y", "municipality": "atlantis", "sort": "x"},
        ),
        reads_all="hands the query string to the directory's filters (organisations/filters.py)",
    ),
    "api.organisation_feed": Route(query=({}, {"key": "{forum_feed_key}"}, {"key": "kaputt"})),
    "api.opportunity_feed": Route(
        query=(
            {},
            {"key": "{forum_feed_key}"},
            {"key": "kaputt"},
            {"key": "{forum_feed_key}", "municipality": "brome", "kind": "opportunity"},
            {"suitable": "seniors", "hours": "4", "field": "sport", "commitment": "regular"},
            {"suitable": "x", "kind": "y", "hours": "z", "municipality": "atlantis"},
        ),
        reads_all="hands the query string to the list's filters (organisations/filters.py)",
    ),
    "api.embed_latest": Route(query=({}, {"category": "{category_id}"}, {"category": "kaputt"})),
    "api.renew_feed_key": Route(phase=DESTROY),
    "api.notifications_json": Route(),
    "api.review_list": Route(
        query=(
            {},
            {"status": "all"},
            {"type": "ReviewableQueuedPost", "status": "pending"},
            {"type": "kaputt", "status": "kaputt"},
            {"before": "999999999"},
        )
    ),
    # PUT only (the matrix sends GET and POST): tests/api/test_review_api.py.
    "api.review_perform": Route(
        args={"action_name": ["approve_post"]},
        reads_all="Discourse clients send form data or JSON; payload() hands all of it on",
    ),
    "api.mark_notifications_read": Route(phase=DESTROY),
    "admin.create_api_key": Route(
        form=(
            {"description": "Aus der Matrix", "username": "", "read_only": "y"},
            {"description": "", "username": "niemand"},
        )
    ),
    "admin.revoke_api_key": Route(args={"key_id": ["1", "999999"]}, phase=DESTROY),
    "admin.activity_fields": Route(),
    "admin.add_activity_field": Route(form=({"name": ""}, {"name": "Bereich aus der Matrix"})),
    "admin.rename_activity_field": Route(
        args={"field_id": ["1", "999999"]}, form=({"name": ""}, {"name": "Umbenannt"})
    ),
    "admin.remove_activity_field": Route(args={"field_id": ["2", "999999"]}, phase=DESTROY),
    # --- moderation ---------------------------------------------------------------------
    "moderation.flag": Route(
        form=(
            {"reason": "other", "message": "", "submit": "y", **_ONCE},
            {"reason": "spam", "message": "Werbung", "submit": "y"},
        )
    ),
    "moderation.review": Route(
        query=(
            {},
            {"status": "all"},
            {"kind": "held_post", "status": "pending"},
            {"kind": "flagged_post", "status": "all", "before": "999999999"},
            {"kind": "join_request", "status": "kaputt"},
        )
    ),
    "moderation.review_item": Route(query=({}, {"next": "/review?status=all"})),
    "moderation.approve": Route(form=({"next": "/review"}, {"next": ""}), phase=DESTROY),
    "moderation.reject": Route(
        form=(
            {"template": "0", "reason": "", "next": "", "submit": "y"},
            {"template": "{template_id}", "reason": "", "next": "/review", "submit": "y"},
        ),
        phase=DESTROY,
    ),
    "moderation.decide_flags": Route(
        form=(
            {"decision": "kaputt", "silence_days": "", "reason": "", "next": ""},
            {"decision": "agree_hide", "silence_days": "1", "reason": "Bitte nicht.", "next": ""},
        ),
        phase=DESTROY,
    ),
    "moderation.plugin_action": Route(
        form=({"next": ""},),
        args={"action": ["approve"]},
        phase=DESTROY,
        reads_all="hands the form to the action a plugin registered for its review kind",
    ),
    "moderation.moderate_topic": Route(
        form=tuple({"action": action, "next": ""} for action in ("unlist", "delete", "restore")),
        phase=DESTROY,
    ),
    "moderation.move_topic": Route(
        form=({"category": "{public_id}", "submit": "y"},),
        phase=DESTROY,
    ),
    "moderation.restrict_member": Route(
        form=(
            {"silence-days": "0", "silence-reason": "", "suspend-days": "0", "suspend-reason": ""},
            {
                "silence-days": "2",
                "silence-reason": "Bitte eine Pause.",
                "suspend-days": "2",
                "suspend-reason": "Bitte eine Pause.",
            },
        ),
        phase=DESTROY,
    ),
    "moderation.lift_restriction": Route(form=({"next": ""},), phase=DESTROY),
    # --- admin --------------------------------------------------------------------------
    "admin.settings": Route(
        form=(
            {"hold_first_posts": "kaputt", "flags_to_hide": "", "join_request_notify": "each"},
            {
                "site_name": "Ehrenamt im Landkreis Gifhorn",
                "site_description": "",
                "approval_required": "y",
                "invitation_days": "14",
                "hold_first_posts": "1",
                "flags_to_hide": "3",
                "post_rate_limit": "12 per minute;200 per day",
                "topics_per_page": "30",
                "posts_per_page": "20",
                "join_request_notify": "each",
                "email_notify_delay_minutes": "10",
                "search_log_days": "90",
                "search_per_page": "20",
                "search_extra_words": "Vereinsheim\nGrill",
                "page_cache_seconds": "60",
                "upload_types": "images_pdf",
                "upload_max_mb": "6",
                "uploads_per_day": "30",
                "upload_hold_posts": "3",
            },
        ),
        phase=DESTROY,
    ),
    "admin.edit_text": Route(
        form=({"title": "", "raw": ""}, {"title": "Netiquette", "raw": "Bitte freundlich."}),
        phase=DESTROY,
    ),
    "admin.questions": Route(
        # "direction": the page's move buttons are a form too (built from any POST).
        form=(
            {"text": "", "direction": "up"},
            {"text": "Was möchten Sie tun?", "required": "y", "active": "y"},
        ),
        phase=DESTROY,
    ),
    "admin.edit_question": Route(
        form=({"text": ""}, {"text": "Wie heißen Sie?", "required": "y", "active": "y"}),
        phase=DESTROY,
    ),
    "admin.move_question": Route(
        form=({"direction": "kaputt"}, {"direction": "up"}, {"direction": "down"}),
        phase=DESTROY,
    ),
    "admin.rejection_templates": Route(
        form=({"title": ""}, {"title": "Doppelt", "body": "Sie haben schon ein Konto."}),
        phase=DESTROY,
    ),
    "admin.edit_rejection_template": Route(
        form=({"title": ""}, {"title": "Unvollständig", "body": "Bitte mehr erzählen."}),
        phase=DESTROY,
    ),
    "admin.delete_rejection_template": Route(phase=DESTROY),
    "admin.watched_words": Route(
        form=({"word": "", "action": "block"}, {"word": "werbung", "action": "censor"}),
        phase=DESTROY,
    ),
    "admin.delete_watched_word": Route(phase=DESTROY),
    "admin.invitations": Route(
        form=({"email": "kaputt"}, {"email": "eingeladen@example.org"}), phase=DESTROY
    ),
    # Categories and the first start (forum/admin/category_views.py, setup_views.py).
    "admin.new_category": Route(form=({"name": "", "color": "kaputt"}, _CATEGORY), phase=DESTROY),
    "admin.edit_category": Route(
        form=({"name": "x", "color": "#ffffff", "kind": "kaputt"}, {**_CATEGORY, "slug": ""}),
        phase=DESTROY,
    ),
    "admin.move_category": Route(
        form=({"direction": "kaputt"}, {"direction": "up"}, {"direction": "down"}),
        phase=DESTROY,
    ),
    "admin.reorder_categories": Route(
        form=({"order": "kaputt", "parent_id": ""}, {"order": "{category_id}", "parent_id": "1"}),
        phase=DESTROY,
    ),
    "admin.archive_category": Route(
        form=({"archived": "kaputt"}, {"archived": "1"}, {"archived": "0"}), phase=DESTROY
    ),
    "admin.delete_category": Route(
        form=({"move-destination": "kaputt"}, {"delete-confirm": "y"}), phase=DESTROY
    ),
    "admin.setup_step": Route(form=(_SETUP,), phase=DESTROY),
    "admin.skip_setup": Route(phase=DESTROY),
    "admin.log": Route(
        query=(
            {},
            {"action": "", "actor": "koordinatorin", "before_id": "999999999"},
            {"actor": "niemand"},
            {"before_id": "kaputt"},
        )
    ),
    # --- admin: people (forum/admin/people_views.py) --------------------------------------
    "admin.people_list": Route(
        query=(
            {},
            {"q": "nachbar", "role": "member", "status": "member", "sort": "posts", "page": "2"},
            {"q": "%", "status": "inactive", "sort": "seen"},
            {"role": "kaiser", "page": "-1"},
        )
    ),
    "admin.person": Route(args={"user_id": ["{person_id}", "999999999"]}),
    "admin.person_role": Route(
        form=({"role": "kaiser"}, {"role": "moderator"}),
        args={"user_id": ["{person_id}"]},
        phase=DESTROY,
    ),
    "admin.person_mail_action": Route(args={"user_id": ["{person_id}"]}, phase=DESTROY),
    "admin.person_merge": Route(
        form=({"other": "melder1", "confirm": ""}, {"other": "melder1", "confirm": "y"}),
        args={"user_id": ["{person_id}"]},
        phase=DESTROY,
    ),
    "admin.person_delete": Route(
        form=({"posts": "keep", "confirm": ""}, {"posts": "keep", "confirm": "y"}),
        args={"user_id": ["{person_id}"]},
        phase=DESTROY,
    ),
    # --- accounts -----------------------------------------------------------------------
    "auth.register": Route(
        form=(
            {**_ACCOUNT, "email": "neuling@example.org", "password_confirm": "anders"},
            {**_ACCOUNT, "email": "neuling@example.org"},
        ),
        phase=SESSION,
    ),
    "auth.login": Route(
        query=({}, {"next": "/latest"}),
        form=(
            {"login": "{username}", "password": "falsch", "remember": "y", "next": "/bookmarks"},
        ),
    ),
    "auth.logout": Route(phase=SESSION),
    "auth.forgot_password": Route(form=({"email": "kaputt"}, {"email": "autorin@example.org"})),
    "auth.reset_password": Route(
        form=({"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},)
    ),
    "membership.join": Route(
        form=({**_NETIQUETTE, **_ONCE, "answer_{question_id}": "Über die Zeitung."},)
    ),
    "membership.accept_invitation": Route(
        form=({**_ACCOUNT, **_NETIQUETTE, "username": "eingeladen"},)
    ),
    "users.bookmarks": Route(query=({}, {"before": CURSOR})),
    "users.settings": Route(
        form=(
            {"display_name": "x" * 300, "language": "de"},
            {
                "display_name": "Matrix",
                "bio": "Ich teste gern.",
                "language": "de",
                "email_on_reply": "y",
                "email_on_mention": "y",
                "email_on_message": "y",
                "email_on_watched": "",
                "digest_frequency": "weekly",
            },
        )
    ),
    "users.change_password": Route(
        form=(
            {"current_password": "falsch", "password": NEW_PASSWORD, "password_confirm": "x"},
            {
                "current_password": "{password}",
                "password": NEW_PASSWORD,
                "password_confirm": NEW_PASSWORD,
            },
        ),
        phase=DESTROY,
    ),
    "users.change_email": Route(
        form=(
            {"email": "neu@example.org", "current_password": "falsch"},
            {"email": "neu-{role}@example.org", "current_password": "{password}"},
        ),
        phase=DESTROY,
    ),
    # A member's own data and account (tests/users/test_own_data.py): the matrix sends a
    # wrong password, so no role's account goes.
    "users.export_data": Route(),
    "users.delete_account": Route(
        form=({"posts": "keep", "delete_password": "falsch", "confirm": "y"},), phase=DESTROY
    ),
    # A guest's language link (no token, so guests' pages can be cached).
    "users.switch_language": Route(
        query=({"next": "/latest"}, {}), args={"code": ["en", "de", "xx"]}
    ),
    # No file in the matrix (tests/uploads/test_avatars.py sends one): refused, or removed.
    "users.upload_avatar": Route(form=({"avatar": ""},)),
    "users.remove_avatar": Route(form=({"avatar": ""},)),
    "users.set_language": Route(
        form=({"language": "en", "next": "/latest"}, {"language": "de", "next": ""})
    ),
    # --- mailing ------------------------------------------------------------------------
    # A token the world cannot make: the page answers 404 for every role.
    "mailing.unsubscribe": Route(form=({}, {"List-Unsubscribe": "One-Click"})),
    # --- messages -----------------------------------------------------------------------
    "messages.new": Route(
        query=({}, {"to": "{username}"}, {"office": "1"}),
        form=(
            {**_COMPOSER, **_ONCE, "to": "mitglied, niemand", "title": "Eine Frage", "raw": ""},
            {**_COMPOSER, "to": "{username}", "office": "y", "title": "Eine Frage an alle"},
            {**_COMPOSER, "to": "", "raw": "", "title": "", "preview": "y"},
            {**_COMPOSER, **_ONCE, **_UPLOAD, "to": "{username}", "title": "Ein Bild"},
        ),
    ),
    # Adding someone or leaving changes who reads a conversation: after the GETs.
    "messages.add_participant": Route(
        form=(
            {"username": "", "preview": "", "upload": ""},
            {"username": "mitglied", "submit": "y"},
        ),
        phase=DESTROY,
    ),
    "messages.leave": Route(form=({"next": ""},), phase=DESTROY),
    "messages.preferences": Route(form=({"from_members": "y", "submit": "y"}, {"submit": "y"})),
    "messages.ignore": Route(form=({"next": "settings"}, {"next": ""})),
    # --- notifications ------------------------------------------------------------------
    "notifications.open_one": Route(args={"notification_id": ["1", "2", "999999"]}),
    "notifications.user_search": Route(
        query=({}, {"term": "a"}, {"term": "{username}"}, {"term": "bewerb"}, {"term": "%_"})
    ),
    "notifications.topic_level": Route(
        form=({"level": "kaputt"}, {"level": "watching"}, {"level": "muted", "from": "settings"})
    ),
    "notifications.category_level": Route(
        form=({"level": "kaputt"}, {"level": "watching", "from": "settings"}, {"level": "muted"})
    ),
    "notifications.watching_settings": Route(form=({"level": "kaputt"}, {"level": "watching"})),
    # --- search -------------------------------------------------------------------------
    "search.search": Route(
        # Only the names, never shown: forum/pagecache.py keeps no guest page asked
        # with a parameter the page does not read.
        reads_all="the guest page cache looks at every parameter's name before keeping a page",
        query=(
            {},
            {"q": "GEHEIM"},
            {"q": "GEHEIM", "page": "2"},
            {"q": "GEHEIM in:title"},
            {"q": "GEHEIM in:first order:latest"},
            {"q": "GEHEIM status:open"},
            {"q": "#allgemeines GEHEIM"},
            {"q": "@autorin"},
            {"q": "Kreishaus"},
            {
                "advanced": "1",
                "words": "GEHEIM",
                "username": "autorin",
                "category": "allgemeines",
                "in_title": "y",
                "in_first": "y",
                "status": "",
                "after": "2000-01-01",
                "before": "2999-01-01",
                "order": "latest",
            },
        ),
    ),
    # Keeps the question in the session (the composer and the home page take
    # it): last, so the role's pages are requested as they were.
    "search.ask": Route(form=({"title": ""}, {"title": "GEHEIM Frage"}), phase=SESSION),
    "search.similar_topics": Route(
        query=({}, {"title": "GEHEIM"}, {"title": "GEHEIM Kreishaus Thema"})
    ),
    # --- uploads ------------------------------------------------------------------------
    # Each secret's PDF (tests/access/world.py), and a key nobody uploaded.
    "uploads.serve": Route(args={"key": ["{upload_key}", "0" * 64 + ".pdf"]}),
    # The composer script's upload; no file here (tests/uploads/test_json.py sends them): a 422.
    "uploads.upload_json": Route(form=({"alt": "Ein Bild"},)),
    # An uploaded avatar by the API's avatar_template; the world's members have none
    # (tests/uploads/test_avatars.py has one), and a secret's PDF is no avatar: 404.
    "uploads.sized_avatar": Route(args={"key": ["{upload_key}", "0" * 64 + ".jpg"]}),
    # --- plugins ------------------------------------------------------------------------
    "events.upcoming": Route(query=({}, {"category": "{category_id}", "municipality": "gifhorn"})),
    "events.rsvp": Route(form=({"status": "going"},)),
    "events.personal_feed": Route(args={"token": ["{feed_token}", "ungueltig"]}),
    "events.renew_feed": Route(phase=DESTROY),
    "organisations.directory": Route(
        query=(
            {},
            {"q": "verein", "municipality": "gifhorn", "field": "sport", "seeking": "y"},
            {"sort": "activity", "page": "2"},
            {"municipality": "atlantis", "sort": "x", "page": "0"},
        ),
        reads_all="passes its filters on to the next page's links",
    ),
    "organisations.directory_en": Route(
        query=({}, {"municipality": "brome"}), reads_all="passes every filter on to the redirect"
    ),
    # The edit changes what the organisation is (its members-only choice): last.
    "organisations.edit": Route(
        form=(
            {"name": "", "municipality": "gifhorn"},
            {
                "name": "Ein geänderter Verein",
                "municipality": "gifhorn",
                "fields": "kultur",
                "short_line": "Neu",
                "description": "Neu",
                "website": "",
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
                "meeting_place": "",
                "meeting_times": "",
                "seeking_volunteers": "y",
                "members_only": "y",
                "logo": "",
                "remove_logo": "y",
                "submit": "y",
            },
        ),
        phase=DESTROY,
    ),
    "organisations.represent": Route(
        form=({"reason": ""}, {"reason": "Ich bin im Vorstand.", "submit": "y"})
    ),
    "organisations.new": Route(
        form=(
            {"name": "", "municipality": "", "reason": ""},
            {
                "name": "Neuer Verein aus der Matrix",
                "municipality": "wesendorf",
                "reason": "Ich",
                "submit": "y",
            },
        )
    ),
    "organisations.leave": Route(phase=DESTROY),
    "organisations.remove": Route(args={"username": ["{username}", "niemand"]}, phase=DESTROY),
    "organisations.verify": Route(args={"action": ["verifizieren", "entziehen"]}, phase=DESTROY),
    "organisations.decide": Route(
        form=(
            {"decision": "decline", "reason": ""},
            {"decision": "kaputt", "reason": ""},
            {"decision": "confirm", "reason": ""},
        ),
        phase=DESTROY,
    ),
    "organisations.opportunity_list": Route(
        query=(
            {},
            {"municipality": "gifhorn", "field": "sport", "hours": "10", "commitment": "regular"},
            {"suitable": "seniors", "kind": "training", "hours": "more", "page": "2"},
            {"suitable": "x", "kind": "y", "hours": "z", "page": "0"},
        ),
        reads_all="passes its filters on to the next page's links",
    ),
    "organisations.opportunity": Route(args={"opportunity_id": ["{opportunity_id}"]}),
    "organisations.new_opportunity": Route(
        form=({"title": ""}, {**_OPPORTUNITY, "submit": "y"}),
    ),
    "organisations.edit_opportunity": Route(
        args={"opportunity_id": ["{opportunity_id}"]},
        form=({"title": ""}, {**_OPPORTUNITY, "submit": "y"}),
        phase=DESTROY,
    ),
    "organisations.opportunity_status": Route(
        args={"opportunity_id": ["{opportunity_id}"], "status": ["besetzt", "offen"]},
        phase=DESTROY,
    ),
    "organisations.show_interest": Route(
        args={"opportunity_id": ["{opportunity_id}"]},
        form=({"message": ""}, {"message": "Ich helfe gern.", "submit": "y"}),
    ),
    "organisations.withdraw_interest": Route(
        args={"interest_id": ["{interest_id}"]}, phase=DESTROY
    ),
    "solved.accept": Route(phase=DESTROY),
    "solved.unaccept": Route(phase=DESTROY),
}

#: Samples for URL arguments that no piece of content provides.
VALUES = {
    "size": 48,
    "token": "ungueltiges-token",
    "key": "netiquette",
    "role": "",
    "password": "",
}

#: Endpoints that are not about content (they take no part in the matrix).
SKIPPED_ENDPOINTS = {"static"}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Request:
    """One request of the matrix."""

    method: str
    url: str
    form: tuple[tuple[str, str], ...] = ()
    phase: str = BUILD

    def __str__(self) -> str:
        data = "&".join(f"{key}={value}" for key, value in self.form)
        return f"{self.method} {self.url}" + (f" [{data}]" if data else "")


def _fill(template, values: dict):
    """Fill the placeholders of a string (or leave a non-string); None if one is missing."""
    if not isinstance(template, str):
        return template
    try:
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)
    except KeyError:
        return None


def _fill_dict(templates: dict, values: dict) -> dict | None:
    filled = {}
    for key, value in templates.items():
        key, value = _fill(key, values), _fill(value, values)
        if key is None or value is None:
            return None
        filled[key] = value
    return filled


def _argument_samples(rule, route: Route, values: dict) -> list[dict] | None:
    """Every combination of URL argument values for ``rule``; None if one is missing."""
    choices = {}
    for argument in sorted(rule.arguments):
        converter = rule._converters.get(argument)
        if argument in route.args:
            samples = [_fill(s, values) for s in route.args[argument]]
            samples = [s for s in samples if s is not None]
        elif hasattr(converter, "items"):  # <any(a, b):name>
            samples = sorted(converter.items)
        elif argument in values:
            samples = [values[argument]]
        else:
            return None
        if not samples:
            return None
        choices[argument] = samples
    names = list(choices)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices.values())]


def requests_for(app: Flask, value_sets: list[dict]) -> tuple[list[Request], list[str]]:
    """Return the matrix's requests for content described by ``value_sets``,
    and the URL arguments no value set could fill."""
    requests: dict[Request, None] = {}
    missing = []
    first_rules: dict[str, object] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        route = ROUTES.get(rule.endpoint, Route())
        # An endpoint's second URL (a topic's /<post_number>) gets the first
        # variant only: the parameters are the same view's.
        if first_rules.setdefault(rule.endpoint, rule) is not rule:
            route = Route(route.query[:1], route.form[:1], route.args, route.phase)
        built = False
        for values in ({**VALUES, **given} for given in value_sets):
            samples = _argument_samples(rule, route, values)
            if samples is None:
                continue
            built = True
            # Further samples of a URL argument (a wrong slug, say) get the first
            # variant only: they test one thing (a redirect, a 404), not every query.
            for position, arguments in enumerate(samples):
                queries = route.query if position == 0 else route.query[:1]
                forms = route.form if position == 0 else route.form[:1]
                with app.test_request_context():
                    path = app.url_for(rule.endpoint, **arguments)
                    if "GET" in rule.methods:
                        for query in queries:
                            filled = _fill_dict(query, values)
                            if filled is not None:
                                url = app.url_for(rule.endpoint, **arguments, **filled)
                                requests[Request("GET", url)] = None
                if "POST" in rule.methods:
                    for form in forms:
                        filled = _fill_dict(form, values)
                        if filled is not None:
                            items = tuple((k, str(v)) for k, v in filled.items())
                            requests[Request("POST", path, items, route.phase)] = None
        if not built:
            missing.append(f"{rule.rule} ({', '.join(sorted(rule.arguments))})")
    return list(requests), missing
