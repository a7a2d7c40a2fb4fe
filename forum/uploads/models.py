"""Uploaded files: one row per stored file, and which posts use which upload."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, utcnow


class UploadKind:
    """What an upload is for; decides who may see it (``permissions.can_read_upload``)."""

    IMAGE = "image"  # a picture in a post
    FILE = "file"  # a PDF in a post
    AVATAR = "avatar"  # a member's picture: shown to everybody, like the letter avatar
    LOGO = "logo"  # an organisation's logo: shown to everybody
    PUBLIC = frozenset({AVATAR, LOGO})


class Upload(Base):
    """A stored file (``forum.uploads.storage``); smaller sizes of a picture point
    at the largest with ``parent_id`` and follow its access."""

    __tablename__ = "uploads"
    __table_args__ = (sa.Index("ix_uploads_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The storage key: "<sha256>.<ext>"; the extension fixes the Content-Type.
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("uploads.id", ondelete="CASCADE"), index=True
    )
    #: Who uploaded it first (the same file uploaded again is the same row).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(10), default=UploadKind.IMAGE)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    #: The name it had on the uploader's device (shown for PDFs), cleaned.
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    size: Mapped[int] = mapped_column(default=0)
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_public(self) -> bool:
        return self.kind in UploadKind.PUBLIC

    def __repr__(self) -> str:
        return f"<Upload {self.id} {self.key[:12]}>"


class PostUpload(Base):
    """A post whose current text uses an upload (rewritten on every edit)."""

    __tablename__ = "post_uploads"

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    upload_id: Mapped[int] = mapped_column(
        sa.ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
