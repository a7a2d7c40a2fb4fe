"""What an admin does to an account: role, e-mail, password link, anonymise, delete, merge.

Every function checks, changes, writes the audit log entry and commits in one
transaction. Counters stay true: deleting posts goes through the same counter
changes as a moderator's delete (``boards.counters``), and a merge recounts the
kept account from its rows.
"""

import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from forum.admin.people import deleted
from forum.auth import services as auth
from forum.auth.accounts import hash_password
from forum.auth.models import LoginRecord
from forum.boards import counters
from forum.boards.models import Bookmark, Post, PostLike, PostRevision, Topic, TopicUser
from forum.boards.posts import post_removed
from forum.db import Base, utcnow
from forum.errors import AdminError
from forum.extensions import db
from forum.idempotency import Submission
from forum.membership.models import Invitation, MembershipApplication
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.notifications.models import Notification
from forum.notifications.services import forget_actor
from forum.review.audit import log_action
from forum.users.models import AccountDeletion, Role, User

CHANGEABLE_ROLES = (Role.MEMBER, Role.MODERATOR, Role.ADMIN)
KEEP_POSTS, DELETE_POSTS = "keep", "delete"


def _target(person: User) -> dict:
    return {"target_type": "user", "target_id": person.id, "target_label": person.username}


def _admins() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, ~deleted())
        )
        or 0
    )


def _require_live(person: User) -> None:
    if person.deleted_at is not None:
        raise AdminError(_l("This account was deleted."))


# --- Role and e-mail -------------------------------------------------------------------------


def change_role(admin: User, person: User, role: str) -> bool:
    """Give ``person`` a role; False if it is theirs already.

    An admin cannot change their own role, and the last admin stays one.
    """
    _require_live(person)
    try:
        new = Role(role)
    except ValueError:
        raise AdminError(_l("Please choose a role.")) from None
    if new not in CHANGEABLE_ROLES:
        raise AdminError(_l("Please choose a role."))
    if person.id == admin.id:
        raise AdminError(_l("You cannot change your own role; another admin can."))
    if person.role == new:
        return False
    if person.role == Role.ADMIN and _admins() <= 1:
        raise AdminError(_l("The forum needs at least one admin."))
    old = person.role
    person.role = new
    if old == Role.APPLICANT:
        # The admin decided: a join request still waiting is approved by her, so
        # no moderator's later approval sets the new role back to member.
        db.session.execute(
            sa.update(ReviewItem)
            .where(
                ReviewItem.user_id == person.id,
                ReviewItem.kind == "join_request",
                ReviewItem.status == ReviewStatus.PENDING,
            )
            .values(
                status=ReviewStatus.APPROVED, handled_by_id=admin.id, handled_at=utcnow(),
                resolution="approve",
            )
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    log_action(admin, "change_role", **_target(person), old=old.value, new=new.value)
    db.session.commit()
    return True


def confirm_email(admin: User, person: User) -> bool:
    """Mark the address as confirmed by hand; False if it was confirmed already."""
    _require_live(person)
    if person.email_confirmed_at is not None:
        return False
    person.email_confirmed_at = utcnow()
    log_action(admin, "confirm_email", **_target(person))
    db.session.commit()
    return True


def resend_confirmation(admin: User, person: User) -> bool:
    """Mail a new confirmation link; False if the mail could not be sent."""
    _require_live(person)
    if person.email_confirmed_at is not None:
        raise AdminError(_l("The e-mail address is confirmed already."))
    log_action(admin, "resend_confirmation", **_target(person))
    db.session.commit()
    return auth.send_confirmation(person)


def send_password_reset(admin: User, person: User) -> None:
    """Mail the person a password reset link (after the response, as for everyone)."""
    _require_live(person)
    log_action(admin, "send_password_reset", **_target(person))
    db.session.commit()
    auth.request_password_reset(person.email)


# --- Anonymise and delete --------------------------------------------------------------------


def _deleted_name() -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("Deleted member")


def _delete_posts(admin: User, person: User) -> list[Post]:
    """Soft-delete the person's visible posts (replies before first posts, so each
    topic's count is right when it goes) and erase their text; return them."""
    posts = db.session.scalars(
        sa.select(Post)
        .where(Post.user_id == person.id, Post.deleted_at.is_(None))
        .order_by(Post.post_number == 1, Post.id)
    ).all()
    now = utcnow()
    for post in posts:
        counters.post_visibility_changed(post, -1)
        post.deleted_at, post.deleted_by_id = now, admin.id
        if post.post_number == 1:
            post.topic.deleted_at, post.topic.deleted_by_id = now, admin.id
        db.session.flush()
    # Their words go, deleted earlier or now; numbers and counts stay.
    own = sa.select(Post.id).where(Post.user_id == person.id).scalar_subquery()
    db.session.execute(sa.delete(PostRevision).where(PostRevision.post_id.in_(own)))
    for post in db.session.scalars(sa.select(Post).where(Post.user_id == person.id)):
        post.raw = post.cooked = ""
    return list(posts)


def remove_account(admin: User, person: User, posts: str) -> None:
    """Anonymise an account: its personal data goes, the row stays as "Gelöschtes Mitglied".

    ``posts`` is ``KEEP_POSTS`` (they stay, under the anonymous name) or
    ``DELETE_POSTS`` (deleted as a moderator deletes them, their text erased;
    topics they started go with the replies in them). Log-in records, the
    membership application, bookmarks, notifications, read positions and
    invitations to their address are deleted.
    """
    _require_live(person)
    if posts not in (KEEP_POSTS, DELETE_POSTS):
        raise AdminError(_l("Please choose what happens to the posts."))
    if person.id == admin.id:
        raise AdminError(_l("You cannot delete your own account here."))
    if person.role == Role.ADMIN and _admins() <= 1:
        raise AdminError(_l("The forum needs at least one admin."))
    old_name = person.username
    removed = _delete_posts(admin, person) if posts == DELETE_POSTS else []
    for model in (LoginRecord, MembershipApplication, Bookmark, Notification, TopicUser):
        db.session.execute(sa.delete(model).where(model.user_id == person.id))
    db.session.execute(sa.delete(Submission).where(Submission.user_id == person.id))
    db.session.execute(
        sa.delete(Invitation).where(
            sa.or_(
                Invitation.used_by_id == person.id,
                sa.func.lower(Invitation.email) == person.email_lower,
            )
        )
    )
    db.session.execute(
        sa.delete(ReviewItem).where(
            ReviewItem.user_id == person.id,
            ReviewItem.kind == "join_request",
            ReviewItem.status == ReviewStatus.PENDING,
        )
    )
    marker = f"geloescht-{person.id}"
    person.username = person.username_lower = marker
    person.email = person.email_lower = f"{marker}@invalid"
    person.password_hash = hash_password(secrets.token_urlsafe(32))
    person.display_name = _deleted_name()
    forget_actor(old_name, person.display_name)
    person.bio_raw = person.bio_cooked = ""
    person.locale = None
    person.email_on_reply = person.email_on_mention = person.email_digest = False
    person.silenced_until = person.suspended_until = None
    person.silence_reason = person.suspend_reason = ""
    person.email_confirmed_at = person.last_seen_at = None
    if person.role != Role.APPLICANT:
        person.role = Role.MEMBER
    db.session.add(AccountDeletion(user_id=person.id))
    # The entry names the account by its id only: the old name is personal data.
    log_action(
        admin, "delete_account", target_type="user", target_id=person.id, target_label=marker,
        posts=posts, posts_deleted=len(removed),
    )  # fmt: skip
    db.session.commit()
    current_app.logger.info("Account %s (%s) anonymised by %s", person.id, old_name, admin.id)
    for post in removed:
        post_removed(post, admin)


# --- Merging two accounts of one person --------------------------------------------------


def _user_columns() -> list[sa.Column]:
    """Every column of every existing table (plugins' too) that points at ``users.id``."""
    existing = set(sa.inspect(db.session.connection()).get_table_names())
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name not in existing:
            continue
        for column in table.columns:
            if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                found.append(column)
    return found


def _unique_groups(column: sa.Column) -> list[list[sa.Column]]:
    """The unique keys (primary key, unique constraints and indexes) ``column`` is part of."""
    table = column.table
    groups = []
    for constraint in table.constraints:
        if isinstance(constraint, sa.PrimaryKeyConstraint | sa.UniqueConstraint):
            columns = list(constraint.columns)
            if column in columns:
                groups.append(columns)
    for index in table.indexes:
        if index.unique and column in list(index.columns):
            groups.append(list(index.columns))
    if column.unique:
        groups.append([column])
    return groups


def _move_rows(column: sa.Column, source: int, target: int) -> None:
    """Point ``column`` from ``source`` to ``target``; rows that would then clash
    with one of ``target``'s (the same post liked twice) are dropped first."""
    table = column.table
    for group in _unique_groups(column):
        twin = table.alias()
        same = [twin.c[c.name] == c for c in group if c is not column]
        clash = sa.exists().where(twin.c[column.name] == target, *same)
        db.session.execute(sa.delete(table).where(column == source, clash))
    db.session.execute(sa.update(table).where(column == source).values({column.name: target}))


def _drop_double_likes(keep: User, other: User) -> None:
    """Remove the other account's likes of posts the kept one liked too, with their counts."""
    mine = aliased(PostLike)
    doubles = db.session.execute(
        sa.select(Post.id, Post.topic_id, Post.user_id)
        .join(PostLike, PostLike.post_id == Post.id)
        .where(
            PostLike.user_id == other.id,
            sa.exists().where(mine.post_id == Post.id, mine.user_id == keep.id),
        )
    ).all()
    for post_id, topic_id, author_id in doubles:
        counters.add(Post, post_id, like_count=-1)
        counters.add(Topic, topic_id, like_count=-1)
        counters.add(User, author_id, likes_received=-1)
    if doubles:
        db.session.execute(
            sa.delete(PostLike).where(
                PostLike.user_id == other.id, PostLike.post_id.in_([row[0] for row in doubles])
            )
        )


def _merge_read_positions(keep: User, other: User) -> None:
    """Where both read a topic, the kept account keeps the further position."""
    theirs = aliased(TopicUser)
    further = (
        sa.select(theirs.last_read_post_number)
        .where(theirs.user_id == other.id, theirs.topic_id == TopicUser.topic_id)
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(TopicUser)
        .where(
            TopicUser.user_id == keep.id,
            sa.exists().where(
                theirs.user_id == other.id,
                theirs.topic_id == TopicUser.topic_id,
                theirs.last_read_post_number > TopicUser.last_read_post_number,
            ),
        )
        .values(last_read_post_number=further)
        .execution_options(synchronize_session=False)
    )


def _recount(user_id: int) -> None:
    """Set the account's counters from its rows (as ``flask --app forum check`` counts)."""
    live_posts = sa.and_(Post.user_id == user_id, Post.deleted_at.is_(None))
    liked = sa.select(sa.func.count()).select_from(PostLike).join(Post, Post.id == PostLike.post_id)
    db.session.execute(
        sa.update(User)
        .where(User.id == user_id)
        .values(
            topic_count=sa.select(sa.func.count())
            .select_from(Topic)
            .where(Topic.user_id == user_id, Topic.deleted_at.is_(None))
            .scalar_subquery(),
            post_count=sa.select(sa.func.count()).where(live_posts).scalar_subquery(),
            published_post_count=sa.select(sa.func.count())
            .where(Post.user_id == user_id)
            .scalar_subquery(),
            likes_given=sa.select(sa.func.count())
            .select_from(PostLike)
            .where(PostLike.user_id == user_id)
            .scalar_subquery(),
            likes_received=liked.where(Post.user_id == user_id).scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )


def merge_accounts(admin: User, keep: User, other: User) -> None:
    """Move everything of ``other`` to ``keep`` (posts, topics, likes, bookmarks,
    notifications, read positions, flags, plugin rows ...) and delete ``other``.

    Rows that would clash (both liked a post, both bookmarked it) keep the kept
    account's; read positions keep the further one. The kept account keeps its
    name, address and role.
    """
    if keep.id == other.id:
        raise AdminError(_l("An account cannot be merged into itself."))
    _require_live(keep)
    _require_live(other)
    if admin.id == other.id:
        raise AdminError(_l("You cannot merge your own account into another one."))
    if other.role == Role.ADMIN and _admins() <= 1:  # pragma: no cover - the actor is an admin
        raise AdminError(_l("The forum needs at least one admin."))
    other_name = other.username
    # Posts and topics through the ORM, so the search index hears of the new author.
    for post in db.session.scalars(sa.select(Post).where(Post.user_id == other.id)):
        post.user_id = keep.id
    for topic in db.session.scalars(sa.select(Topic).where(Topic.user_id == other.id)):
        topic.user_id = keep.id
    db.session.flush()
    _drop_double_likes(keep, other)
    _merge_read_positions(keep, other)
    for column in _user_columns():
        if column.table.name != "users":
            _move_rows(column, other.id, keep.id)
    db.session.flush()
    db.session.expire_all()
    db.session.execute(sa.delete(User).where(User.id == other.id))
    _recount(keep.id)
    log_action(
        admin, "merge_accounts", target_type="user", target_id=keep.id,
        target_label=keep.username, merged_id=other.id, merged_username=other_name,
    )  # fmt: skip
    db.session.commit()
