"""The one place that decides who may see and do what.

Pages, lists, search, feeds and the API all ask these functions; nothing else
compares roles or access levels. ``user`` is the current user or ``None`` /
an anonymous user for guests. Plugins decide their own actions through
``allowed`` and the ``permission_allowed`` hook, and ask the forum's rules by
name there too.
"""

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from forum import plugins
from forum.boards.models import Category, Post, ReadLevel, Topic, WriteLevel
from forum.extensions import db
from forum.hookspecs import hookimpl
from forum.messages.models import IgnoredUser, MessageParticipant, MessagePreference
from forum.organisations.models import Organisation, Representative
from forum.uploads.models import PostUpload, Upload
from forum.users.models import Role, User


def _account(user: Any) -> User | None:
    """Return a real account, or None for guests (Flask-Login's anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def readable_levels(user: Any) -> tuple[ReadLevel, ...]:
    """Return the category read levels this person may see."""
    account = _account(user)
    if account is None or account.role == Role.APPLICANT:
        return (ReadLevel.PUBLIC,)
    if account.is_staff:
        return (ReadLevel.PUBLIC, ReadLevel.MEMBERS, ReadLevel.STAFF)
    return (ReadLevel.PUBLIC, ReadLevel.MEMBERS)


def readable_categories_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Category that keeps what the user may read.

    The messages category (``ReadLevel.PRIVATE``) is in no reader's levels: no
    list, count, feed, search or API answer built on these clauses ever holds a
    private conversation. Its participants reach it through
    ``private_topics_clause`` and ``can_read_topic``.
    """
    return Category.read_level.in_(readable_levels(user))


def visible_topics_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Topic (joined with Category) for topic lists.

    Staff also see deleted and unlisted topics (marked as such); everybody
    else sees neither. An unlisted topic stays readable through its URL.
    """
    condition = readable_categories_clause(user)
    if not is_staff(user):
        condition = sa.and_(condition, Topic.deleted_at.is_(None), Topic.unlisted.is_(False))
    return condition


def visible_posts_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Post for places that show post text out of its
    topic (profiles, search, feeds): no deleted and no hidden posts."""
    return sa.and_(Post.deleted_at.is_(None), Post.hidden_at.is_(None))


#: States that keep a post from people finding it out of its topic (search):
#: name -> SQL condition on Post joined with Topic, true when the post is in
#: that state. Search copies each post's states into its index, so adding or
#: changing one needs a reindex (``flask --app forum search status`` says so).
POST_STATES: dict[str, sa.ColumnElement[bool]] = {
    "post_deleted": Post.deleted_at.is_not(None),
    "post_hidden": Post.hidden_at.is_not(None),
    "topic_deleted": Topic.deleted_at.is_not(None),
    "topic_unlisted": Topic.unlisted.is_(True),
}


def findable_states(user: Any) -> frozenset[str]:
    """Return the POST_STATES whose posts this person may still find (search)."""
    if is_staff(user):
        # Unlisted topics stay in staff lists (visible_topics_clause). Deleted
        # and hidden posts stay out of search for everybody, as in Discourse.
        return frozenset({"topic_unlisted"})
    return frozenset()


def findable_posts_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Post joined with Topic and Category: the posts
    this person may find out of their topic (search)."""
    findable = findable_states(user)
    kept_out = [sa.not_(state) for name, state in POST_STATES.items() if name not in findable]
    return sa.and_(readable_categories_clause(user), *kept_out)


def private_topics_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Topic: the private conversations ``user`` reads
    (theirs, unless they left; for staff also those of the group inbox)."""
    account = _account(user)
    if account is None or not account.is_member:
        return sa.false()
    mine = MessageParticipant.user_id == account.id
    if account.is_staff:
        mine = sa.or_(mine, MessageParticipant.user_id.is_(None))
    return sa.and_(
        Topic.deleted_at.is_(None),
        Topic.id.in_(
            sa.select(MessageParticipant.topic_id).where(mine, MessageParticipant.left_at.is_(None))
        ),
    )


def readable_topics_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Topic joined with Category: every topic the user
    may open, listed ones and their private conversations (for notifications)."""
    return sa.or_(visible_topics_clause(user), private_topics_clause(user))


def is_staff(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_staff


def is_member(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_member


def can_read_category(user: Any, category: Category) -> bool:
    return category.read_level in readable_levels(user)


def is_private(topic: Topic) -> bool:
    """Whether the topic is a private conversation (in the messages category)."""
    return topic.category.read_level == ReadLevel.PRIVATE


def is_participant(user: Any, topic: Topic) -> bool:
    """Whether ``user`` takes part in the private conversation (and has not left);
    staff take part in every conversation of the coordination office's inbox."""
    account = _account(user)
    if account is None or not account.is_member or not is_private(topic):
        return False
    for participant in topic.participants:
        if participant.left_at is not None:
            continue
        if participant.user_id == account.id or (participant.user_id is None and account.is_staff):
            return True
    return False


def reaches_only_staff(topic: Topic) -> bool:
    """Whether a private conversation is read by staff only besides its writer
    (the office's inbox, a moderator): a new member's messages there need no review."""
    others = [p for p in topic.participants if p.left_at is None and p.user_id != topic.user_id]
    return bool(others) and all(p.user_id is None or p.user.is_staff for p in others)


def can_read_topic(user: Any, topic: Topic) -> bool:
    """Return whether the topic may be shown; callers answer 404 otherwise.

    A private conversation is for its current participants only: moderators
    read one only through the office's inbox, or the single message a
    participant flagged (on the review item's page, not here).
    """
    if is_private(topic):
        return topic.deleted_at is None and is_participant(user, topic)
    if not can_read_category(user, topic.category):
        return False
    return topic.deleted_at is None or is_staff(user)


def can_write(user: Any) -> bool:
    """Members may write unless silenced; applicants and guests may not."""
    return _writes(_account(user))


def is_archived(category: Category) -> bool:
    """An archived category is read-only for everybody (staff included)."""
    return category.archived_at is not None


def _meets(account: User, level: WriteLevel | None) -> bool:
    # Unset (a category not yet saved) counts as the column's default, members.
    return level != WriteLevel.STAFF or account.is_staff


def can_create_topic(user: Any, category: Category) -> bool:
    """The category's ``write_level`` says who may start topics."""
    account = _account(user)
    if category.read_level == ReadLevel.PRIVATE:
        # Only forum.messages starts topics there, after checking the recipients.
        return can_send_message(user)
    if not can_write(user) or not can_read_category(user, category):
        return False
    return not is_archived(category) and _meets(account, category.write_level)


def can_ask_in(user: Any, category: Category) -> bool:
    """Whether search results offer to ask in ``category`` (the public questions
    category): a member who may start a topic there, or a guest or applicant
    who could after joining (the category is public and open to members)."""
    if category.read_level != ReadLevel.PUBLIC or is_archived(category):
        return False
    if is_member(user):
        return can_create_topic(user, category)
    account = _account(user)
    if account is not None and account.is_suspended:
        return False
    return category.write_level != WriteLevel.STAFF


def can_reply(user: Any, topic: Topic) -> bool:
    """The category's ``reply_level`` says who may reply (members where only staff
    start topics: announcements get questions)."""
    account = _account(user)
    if not can_write(user) or not can_read_topic(user, topic):
        return False
    if topic.deleted_at is not None or is_archived(topic.category):
        return False
    if topic.closed:
        return account.is_staff
    return _meets(account, topic.category.reply_level)


def _writes(account: User | None) -> bool:
    return account is not None and account.is_member and not account.is_silenced


# One post's rules, given the account and whether its topic is readable (shared below).


def _edit_post(account: User | None, post: Post, readable: bool) -> bool:
    if account is None or not readable:
        return False
    if account.is_staff:
        return True
    return (
        account.id == post.user_id
        and _writes(account)
        and not post.is_deleted
        and not post.topic.closed
        and not is_archived(post.topic.category)
    )


def _delete_post(account: User | None, post: Post, readable: bool) -> bool:
    if account is None or post.is_deleted or not readable:
        return False
    return account.is_staff or account.id == post.user_id


def _restore_post(account: User | None, post: Post, readable: bool) -> bool:
    return post.is_deleted and account is not None and account.is_staff and readable


def _read_post(account: User | None, post: Post, readable: bool) -> bool:
    if not readable:
        return False
    staff = account is not None and account.is_staff
    if post.is_deleted and not staff:
        return False
    return not post.is_hidden or (account is not None and (staff or account.id == post.user_id))


def _flag_post(account: User | None, post: Post, readable: bool) -> bool:
    mine = account is None or account.id == post.user_id
    return not mine and account.is_member and not post.is_deleted and readable


def _like_post(account: User | None, post: Post, readable: bool) -> bool:
    mine = account is None or account.id == post.user_id
    return not mine and _writes(account) and post.is_visible and readable


def can_edit_post(user: Any, post: Post) -> bool:
    return _edit_post(_account(user), post, can_read_topic(user, post.topic))


def can_delete_post(user: Any, post: Post) -> bool:
    return _delete_post(_account(user), post, can_read_topic(user, post.topic))


def can_restore_post(user: Any, post: Post) -> bool:
    return _restore_post(_account(user), post, can_read_topic(user, post.topic))


def can_see_deleted(user: Any) -> bool:
    return is_staff(user)


def can_see_hidden_post(user: Any, post: Post) -> bool:
    """A post hidden after flags stays readable for its author and for staff."""
    account = _account(user)
    return account is not None and (account.is_staff or account.id == post.user_id)


def can_read_post(user: Any, post: Post) -> bool:
    """Return whether a post's text may be shown to ``user``.

    Every page and endpoint that shows one post's text asks this: the topic
    page, the reply and quote composer, the edit history, the flag form and
    the JSON API. A deleted post's text is for staff; a hidden one for staff
    and its author.
    """
    return _read_post(_account(user), post, can_read_topic(user, post.topic))


def can_upload(user: Any) -> bool:
    """Members who may write may upload (pictures, PDFs, their avatar)."""
    return can_write(user)


#: Posts looked at to decide whether an upload may be fetched.
_UPLOAD_POSTS_CHECKED = 20


def can_read_upload(user: Any, upload: Upload) -> bool:
    """Return whether ``user`` may fetch an upload (its smaller sizes follow it).

    Access follows the posts: an upload is served to whoever may read one of
    the posts whose text uses it, so a picture in a members-only topic is for
    members and a deleted post's pictures are for staff. Avatars and logos are
    for everybody. An upload no post uses yet (the composer's preview, a post
    waiting in the review queue) is for its uploader and for staff.
    """
    if upload.is_public:
        return True
    posts = db.session.scalars(
        sa.select(Post)
        .join(PostUpload, PostUpload.post_id == Post.id)
        .where(PostUpload.upload_id == upload.id)
        .order_by(Post.deleted_at.is_not(None), Post.id)
        .limit(_UPLOAD_POSTS_CHECKED)
    ).all()
    if any(can_read_post(user, post) for post in posts):
        return True
    account = _account(user)
    if account is None or posts:
        return False
    return account.is_staff or account.id == upload.user_id


def can_flag_post(user: Any, post: Post) -> bool:
    return _flag_post(_account(user), post, can_read_topic(user, post.topic))


def post_abilities(user: Any, topic: Topic) -> Callable[[Post], dict[str, bool]]:
    """What ``user`` may do with each post of ``topic``: the rules of can_edit_post and
    its siblings, with the reader's account and the topic's readability decided once."""
    account = _account(user)
    if account is not None and hasattr(account, "_get_current_object"):
        account = account._get_current_object()  # current_user: one proxy lookup
    readable = can_read_topic(account, topic)

    def abilities(post: Post) -> dict[str, bool]:
        return {
            "can_edit": _edit_post(account, post, readable),
            "can_delete": _delete_post(account, post, readable),
            "can_restore": _restore_post(account, post, readable),
            "can_like": _like_post(account, post, readable),
            "can_flag": _flag_post(account, post, readable),
            "show_text": _read_post(account, post, readable),
        }

    return abilities


def can_moderate(user: Any) -> bool:
    """Moderators and admins work the review queue and use moderator tools."""
    return is_staff(user)


def can_moderate_topic(user: Any, topic: Topic) -> bool:
    """Moderator tools on a topic (close, pin, move, delete); never on a private
    conversation, which must not be moved into a readable category."""
    return is_staff(user) and not is_private(topic) and can_read_topic(user, topic)


# --- Personal messages -------------------------------------------------------------------


def is_ignoring(user_id: int, other_id: int) -> bool:
    """Whether member ``user_id`` ignores ``other_id`` (no messages, no mention
    notifications from them). One query; lists use ``ignored_ids``."""
    return (
        db.session.scalar(
            sa.select(IgnoredUser.user_id).where(
                IgnoredUser.user_id == user_id, IgnoredUser.ignored_id == other_id
            )
        )
        is not None
    )


def can_receive_messages(user: Any) -> bool:
    """Members and staff receive messages; applicants, guests and suspended accounts do not."""
    account = _account(user) if user is not None else None
    return account is not None and account.is_member and not account.is_suspended


def can_send_message(user: Any) -> bool:
    """Members who may write may write messages (silenced ones may not)."""
    return can_write(user)


def can_message(sender: Any, recipient: User) -> bool:
    """Whether ``sender`` may start a conversation with ``recipient`` (or add them to one)."""
    account = _account(sender)
    if account is None or not can_send_message(sender) or not can_receive_messages(recipient):
        return False
    if account.id == recipient.id:
        return False
    if account.is_staff:
        return True
    if is_ignoring(recipient.id, account.id):
        return False
    from_members = db.session.scalar(
        sa.select(MessagePreference.from_members).where(MessagePreference.user_id == recipient.id)
    )
    return from_members is not False


def can_invite(user: Any, topic: Topic) -> bool:
    """Any participant may add someone to a conversation they may write in."""
    return is_participant(user, topic) and can_write(user) and not topic.closed


def can_leave(user: Any, topic: Topic) -> bool:
    """A member leaves a conversation they take part in by name (staff reach the
    office's inbox through their role and cannot leave it)."""
    account = _account(user)
    return account is not None and any(
        p.user_id == account.id and p.left_at is None for p in topic.participants
    )


def can_administrate(user: Any) -> bool:
    account = _account(user)
    return account is not None and account.is_admin


def can_like_post(user: Any, post: Post) -> bool:
    return _like_post(_account(user), post, can_read_topic(user, post.topic))


def can_bookmark_post(user: Any, post: Post) -> bool:
    return is_member(user) and can_read_topic(user, post.topic)


def can_set_help_status(user: Any, topic: Topic) -> bool:
    account = _account(user)
    if account is None or topic.help_kind is None or not can_read_topic(user, topic):
        return False
    return account.is_staff or (account.is_member and account.id == topic.user_id)


def can_moderate_member(user: Any, member: User) -> bool:
    """Moderators silence and suspend members; only admins act on staff; nobody on themselves."""
    account = _account(user)
    return (
        account is not None
        and account.is_staff
        and account.id != member.id
        and (not member.is_staff or account.is_admin)
    )


def can_log_in(user: User) -> bool:
    """A suspended member may not log in (and is logged out) until the suspension ends."""
    return not user.is_suspended


# --- Organisations -----------------------------------------------------------------------


def visible_organisations_clause(user: Any) -> sa.ColumnElement[bool]:
    """Return a SQL condition on Organisation: public ones for everybody, the
    members-only ones for members (directory, profiles, search, opportunities)."""
    return sa.true() if is_member(user) else Organisation.members_only.is_(False)


def can_see_organisation(user: Any, organisation: Organisation) -> bool:
    return not organisation.members_only or is_member(user)


def represents(user: Any, organisation: Organisation, among: Iterable[Any] | None = None) -> bool:
    """Whether ``user`` is one of the organisation's representatives: decided from
    ``among`` (the representatives a page has loaded already) or with one query."""
    account = _account(user)
    if account is not None and among is not None:
        return any(person.id == account.id for person in among)
    return account is not None and db.session.scalar(
        sa.select(sa.func.count()).where(
            Representative.organisation_id == organisation.id,
            Representative.user_id == account.id,
        )
    ) > 0  # fmt: skip


def can_edit_organisation(
    user: Any, organisation: Organisation, representatives: Iterable[Any] | None = None
) -> bool:
    """Its representatives (who may write) and staff keep a profile and its opportunities."""
    if is_staff(user):
        return True
    return can_write(user) and represents(user, organisation, representatives)


def can_request_representation(user: Any) -> bool:
    """Members who may write ask to represent an organisation (or to create one)."""
    return can_write(user)


def can_manage_organisations(user: Any) -> bool:
    """The coordinator verifies organisations and confirms or removes representatives."""
    return is_staff(user)


def can_show_interest(user: Any) -> bool:
    """Members, and applicants (their interest waits for their approval), say
    "Ich bin interessiert"; guests register first. The interest is a message:
    a silenced account may not send one (nor could it open the conversation)."""
    account = _account(user)
    return (
        account is not None
        and not account.is_suspended
        and not account.is_silenced
        and (account.is_member or account.role == Role.APPLICANT)
    )


def can_see_contact_details(user: Any) -> bool:
    """An organisation's e-mail address and telephone are for members; guests get a button."""
    return is_member(user)


# --- Actions by name: where plugins take part -------------------------------------------

#: The forum's own decisions by name: the built-in answers of ``permission_allowed``.
CORE_ACTIONS: dict[str, Callable[[Any, Any], bool]] = {
    "topic.read": can_read_topic,
    "topic.reply": can_reply,
    "post.read": can_read_post,
    "post.edit": can_edit_post,
    "post.delete": can_delete_post,
    "post.like": can_like_post,
    "post.flag": can_flag_post,
    "topic.moderate": can_moderate_topic,
    "message.send": lambda user, recipient: can_message(user, recipient),
    "member.moderate": can_moderate_member,
    "account.log_in": lambda user, _obj: _account(user) is not None and can_log_in(user),
}


@hookimpl(trylast=True, specname="permission_allowed")
def core_permission_allowed(user: Any, action: str, obj: Any) -> bool | None:
    """Answer the forum's own actions; leave plugins' actions to them."""
    rule = CORE_ACTIONS.get(action)
    return None if rule is None else rule(user, obj)


def allowed(user: Any, action: str, obj: Any = None) -> bool:
    """Return whether ``user`` may do the named ``action`` (on ``obj``); plugins take part."""
    return plugins.permission_allowed(user, action, obj)
