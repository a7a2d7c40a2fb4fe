"""Pages of personal messages: the list, writing one, adding people, leaving,
the preferences and ignoring a member. A conversation itself is shown by the
topic page (forum.boards) with this package's panel in its header."""

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from forum import permissions
from forum.auth.accounts import get_user_by_username
from forum.boards.composer import compose, post_limit, refuse_silenced
from forum.boards.loaders import topic_view
from forum.errors import BoardError
from forum.extensions import db, limiter
from forum.idempotency import idempotent
from forum.kept_pages import building
from forum.messages import queries, services
from forum.messages.forms import AddParticipantForm, ConfirmForm, MessageForm, PreferencesForm
from forum.moderation.models import ReviewItem
from forum.uploads.limits import accepts_uploads
from forum.urls import topic_url

bp = Blueprint("messages", __name__)


def _account_key() -> str:
    return f"account:{current_user.get_id()}"


def _previewing() -> bool:
    """The preview and upload buttons send no message: they do not count against the limit."""
    return bool(request.form.get("preview") or request.form.get("upload"))


#: Per account, whatever the address (POST_RATE_LIMIT counts per address).
message_limit = limiter.limit(
    lambda: current_app.config["MESSAGE_RATE_LIMIT"],
    key_func=_account_key,
    methods=["POST"],
    exempt_when=_previewing,
)


def member_required(view):
    """Messages are for members; applicants and guests get 403 / the log-in page."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not permissions.is_member(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _header_counts() -> queries.HeaderCounts:
    """The signed-in reader's header counts, asked once per request (never
    kept longer: a new notification shows on the next page)."""
    if "header_counts" not in g:
        on_topic = has_request_context() and request.endpoint == "boards.topic"
        try:
            g.header_counts = queries.header_counts(current_user, with_ignored=on_topic)
        except SQLAlchemyError:
            # An error page rendered after a failed transaction must still render.
            db.session.rollback()
            g.header_counts = queries.HeaderCounts(permissions.is_member(current_user), None, None)
    return g.header_counts


@bp.app_context_processor
def header_counts():
    """Give signed-in readers their unread notifications, members their
    conversations with unread posts, and the topic page whom they ignore
    (their posts are collapsed): one statement (queries.header_counts)."""
    # No current user at all outside a request (mails rendered by the CLI).
    if not getattr(current_user, "is_authenticated", False):
        return {"ignored_user_ids": frozenset()}
    if building() is not None:
        # A member page kept with slots (forum/kept_pages.py): the header is a slot
        # each reader's own statement fills; the page asks nothing for it here.
        return {"ignored_user_ids": frozenset(), "unread_notification_count": 0,
                "unread_message_count": 0}  # fmt: skip
    counts = _header_counts()
    context = {
        "unread_notification_count": counts.notifications,
        "ignored_user_ids": counts.ignored,
    }
    if counts.member:
        messages = counts.messages
        if messages:
            # A conversation this very page reads to its end (forum/boards/topic_views.py).
            messages = max(messages - g.get("conversations_read_here", 0), 0)
        context["unread_message_count"] = messages
    return context


@bp.get("/messages")
@member_required
def index():
    rows = queries.conversations(current_user)
    return render_template(
        "messages/index.html",
        mine=[row for row in rows if not (row.office and not _takes_part(row))],
        office=[row for row in rows if row.office and not _takes_part(row)],
    )


def _takes_part(row) -> bool:
    return any(p.user_id == current_user.id for p in row.topic.participants if p.left_at is None)


@bp.route("/messages/new", methods=["GET", "POST"])
@accepts_uploads
@member_required
@refuse_silenced
@post_limit
@message_limit
@idempotent
def new():
    if not permissions.can_send_message(current_user):
        abort(403)
    form = MessageForm()
    if request.method == "GET" and (to := request.args.get("to", "")[:40].strip()):
        form.to.data = to
    if request.method == "GET" and request.args.get("office"):
        form.office.data = True
    # The composer's steps (preview, a picture, submit), as for a new topic.
    return compose(form, lambda: _send(form), "messages/new.html")


def _send(form: MessageForm):
    recipients, missing = services.find_recipients(form.usernames())
    if missing:
        raise BoardError(_("There is no member called “%(name)s”.", name=", ".join(missing)))
    result = services.start_conversation(
        current_user, recipients, form.title.data, form.raw.data, to_office=form.office.data
    )
    if isinstance(result, ReviewItem):
        flash(_("Thank you! Your message will be sent once a moderator has approved it."), "info")
        return redirect(url_for("messages.index"))
    flash(_("Your message was sent."), "success")
    return redirect(topic_url(result))


@bp.post("/messages/<int:topic_id>/participants")
@member_required
@message_limit
@topic_view(permissions.can_invite)
def add_participant(topic):
    form = AddParticipantForm()
    if not form.validate():
        flash(_("Please name a member."), "error")
        return redirect(topic_url(topic))
    try:
        member = services.add_participant(current_user, topic, form.username.data)
    except BoardError as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s takes part now.", name=member.username), "success")
    return redirect(topic_url(topic))


@bp.post("/messages/<int:topic_id>/leave")
@member_required
@topic_view(permissions.can_leave)
def leave(topic):
    if not ConfirmForm().validate():
        abort(400)
    services.leave(current_user, topic)
    flash(_("You left the conversation “%(title)s”.", title=topic.title), "success")
    return redirect(url_for("messages.index"))


@bp.route("/messages/settings", methods=["GET", "POST"])
@member_required
def preferences():
    form = PreferencesForm()
    if request.method == "GET":
        form.from_members.data = services.accepts_from_members(current_user)
    elif form.validate():
        services.set_accepts_from_members(current_user, form.from_members.data)
        flash(_("Your settings were saved."), "success")
        return redirect(url_for("messages.preferences"))
    return render_template(
        "messages/preferences.html",
        form=form,
        ignored=services.ignored_users(current_user),
        decision_form=ConfirmForm(formdata=None),
    )


@bp.post("/u/<username>/<any(ignore, unignore):action>")
@member_required
def ignore(username: str, action: str):
    other = get_user_by_username(username)
    if other is None:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    try:
        if action == "ignore":
            services.ignore(current_user, other)
            flash(_("You ignore %(name)s now.", name=other.username), "success")
        else:
            services.unignore(current_user, other)
            flash(_("You no longer ignore %(name)s.", name=other.username), "success")
    except BoardError as error:
        flash(error.message, "error")
    if request.form.get("next") == "settings":
        return redirect(url_for("messages.preferences"))
    return redirect(url_for("users.profile", username=other.username))
