"""Texts and settings an admin changes at run time."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, utcnow


class SiteText(Base):
    """An admin-editable page such as the netiquette; each save is a new version."""

    __tablename__ = "site_texts"
    __table_args__ = (sa.UniqueConstraint("key", "version", name="uq_site_texts_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "netiquette", "impressum", "privacy", "about".
    key: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(200))
    raw: Mapped[str] = mapped_column(sa.Text)
    cooked: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SiteSetting(Base):
    """A setting an admin may change in the app; the default lives in config.py."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
