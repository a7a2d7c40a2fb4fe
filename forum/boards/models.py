"""Categories, topics, posts and what members attach to them."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, utcnow
from forum.users.models import User


def _enum(cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    # Stored as plain strings with their values, so both databases agree and
    # adding a member needs no ALTER TYPE.
    return sa.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class CategoryKind(enum.StrEnum):
    DISCUSSION = "discussion"
    ORGANISATIONS = "organisations"
    HELP = "help"


class ReadLevel(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"
    STAFF = "staff"
    #: Personal messages' own hidden category: no list shows it; a topic in it
    #: is readable by its participants only (forum.permissions).
    PRIVATE = "private"


class WriteLevel(enum.StrEnum):
    MEMBERS = "members"
    STAFF = "staff"


class TopicSort(enum.StrEnum):
    """How a category page orders its topics."""

    LATEST = "latest"  # last activity
    NEWEST = "newest"  # newest topics first
    REPLIES = "replies"  # most replies first


class HelpKind(enum.StrEnum):
    REQUEST = "request"
    OFFER = "offer"


class HelpStatus(enum.StrEnum):
    OPEN = "open"
    ARRANGED = "arranged"
    DONE = "done"


class Municipality(enum.StrEnum):
    """The county's ten municipalities (Einheits- and Samtgemeinden)."""

    GIFHORN = "gifhorn"
    WITTINGEN = "wittingen"
    SASSENBURG = "sassenburg"
    BOLDECKER_LAND = "boldecker-land"
    BROME = "brome"
    HANKENSBUETTEL = "hankensbuettel"
    ISENBUETTEL = "isenbuettel"
    MEINERSEN = "meinersen"
    PAPENTEICH = "papenteich"
    WESENDORF = "wesendorf"


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: Markdown as the admin wrote it; ``description_cooked`` is its HTML, made at write time.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_cooked: Mapped[str] = mapped_column(sa.Text, default="")
    #: Hex colour without '#', e.g. "0b6e4f".
    color: Mapped[str] = mapped_column(sa.String(6), default="0b6e4f")
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[CategoryKind] = mapped_column(_enum(CategoryKind), default=CategoryKind.DISCUSSION)
    read_level: Mapped[ReadLevel] = mapped_column(_enum(ReadLevel), default=ReadLevel.MEMBERS)
    #: Who may start topics.
    write_level: Mapped[WriteLevel] = mapped_column(_enum(WriteLevel), default=WriteLevel.MEMBERS)
    #: Who may reply.
    reply_level: Mapped[WriteLevel] = mapped_column(_enum(WriteLevel), default=WriteLevel.MEMBERS)
    #: Prefilled composer text for new topics (e.g. the questions of a help request).
    topic_template: Mapped[str] = mapped_column(sa.Text, default="")
    default_sort: Mapped[TopicSort] = mapped_column(_enum(TopicSort), default=TopicSort.LATEST)
    #: New topics of new members (forum.boards.policy.NEW_MEMBER_POSTS) wait for review.
    hold_new_member_topics: Mapped[bool] = mapped_column(default=False)
    #: Archived: read-only, left out of the lists, still reachable by its URL.
    archived_at: Mapped[datetime | None]
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_posted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Category | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (
        sa.Index("ix_topics_category_bumped", "category_id", "bumped_at", "id"),
        sa.Index("ix_topics_bumped", "bumped_at", "id"),
        # A category's page sorted by newest topics or by most replies.
        sa.Index("ix_topics_category_created", "category_id", "created_at", "id"),
        sa.Index("ix_topics_category_posts", "category_id", "posts_count", "id"),
        # The few pinned topics heading /latest, found without reading every topic.
        sa.Index("ix_topics_pinned", "pinned_at"),
        # ... and a category's, without reading all of the category's topics.
        sa.Index("ix_topics_category_pinned", "category_id", "pinned_at"),
        # A profile's newest topics (and every lookup by author).
        sa.Index("ix_topics_user_created", "user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(sa.String(255))
    slug: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Moves the topic up the lists: set by new posts, not by edits.
    bumped_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_posted_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Visible posts (not deleted), the first post included.
    posts_count: Mapped[int] = mapped_column(default=0)
    highest_post_number: Mapped[int] = mapped_column(default=0)
    like_count: Mapped[int] = mapped_column(default=0)
    views: Mapped[int] = mapped_column(default=0)
    pinned_at: Mapped[datetime | None]
    pinned_globally: Mapped[bool] = mapped_column(default=False)
    closed: Mapped[bool] = mapped_column(default=False)
    #: Left out of every topic list; reachable by its URL (Discourse's "unlisted").
    unlisted: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Neighbourhood help (categories of kind "help") only.
    help_kind: Mapped[HelpKind | None] = mapped_column(_enum(HelpKind))
    municipality: Mapped[Municipality | None] = mapped_column(_enum(Municipality, 30))
    help_status: Mapped[HelpStatus | None] = mapped_column(_enum(HelpStatus))
    #: Posted "as" this organisation by one of its representatives
    #: (forum.organisations); its announcements are such topics.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )

    category: Mapped[Category] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    last_post_user: Mapped[User | None] = relationship(foreign_keys=[last_post_user_id])

    @property
    def reply_count(self) -> int:
        return max(self.posts_count - 1, 0)

    def __repr__(self) -> str:
        return f"<Topic {self.id} {self.slug}>"


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        sa.UniqueConstraint("topic_id", "post_number", name="uq_posts_topic_number"),
        sa.Index("ix_posts_topic_reply_to", "topic_id", "reply_to_post_number"),
        sa.Index("ix_posts_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    #: 1 for the first post; numbers are never reused, deleted posts keep theirs.
    post_number: Mapped[int]
    #: The post this one answers, inside the same topic; None answers the topic.
    reply_to_post_number: Mapped[int | None]
    raw: Mapped[str] = mapped_column(sa.Text)
    #: Sanitised HTML made from raw once, at write time.
    cooked: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Number of the current version; 1 until the first revision.
    version: Mapped[int] = mapped_column(default=1)
    like_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    #: Hidden after flags or by a moderator; others see a notice instead.
    hidden_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    topic: Mapped[Topic] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_visible(self) -> bool:
        """Whether every reader of the topic may see this post's text."""
        return self.deleted_at is None and self.hidden_at is None

    def __repr__(self) -> str:
        return f"<Post {self.topic_id}#{self.post_number}>"


class PostRevision(Base):
    """One edit: the text before and after, who made it and why."""

    __tablename__ = "post_revisions"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "number", name="uq_post_revisions_post_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    #: The version this edit produced (2 for the first edit).
    number: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    raw_before: Mapped[str] = mapped_column(sa.Text)
    raw_after: Mapped[str] = mapped_column(sa.Text)
    title_before: Mapped[str | None] = mapped_column(sa.String(255))
    title_after: Mapped[str | None] = mapped_column(sa.String(255))
    reason: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class PostLike(Base):
    __tablename__ = "post_likes"

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Bookmark(Base):
    __tablename__ = "bookmarks"
    __table_args__ = (sa.Index("ix_bookmarks_user_created", "user_id", "created_at"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicUser(Base):
    """A member's relation to a topic: how far they have read."""

    __tablename__ = "topic_users"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_post_number: Mapped[int] = mapped_column(default=0)
    first_visited_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_visited_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Watching level (forum.notifications.models.Level); None: not chosen, the
    #: category's level applies.
    notification_level: Mapped[int | None] = mapped_column(sa.SmallInteger)
