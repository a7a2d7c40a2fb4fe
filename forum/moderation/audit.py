"""The audit log: every staff action, written in the action's own transaction."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.moderation.models import AuditLog
from forum.users.models import User


def log_action(
    actor: User | None,
    action: str,
    *,
    target_type: str = "",
    target_id: int | None = None,
    target_label: str = "",
    reason: str = "",
    **details: Any,
) -> None:
    """Record a staff action (``actor`` None: the system, e.g. flags hid a post)."""
    db.session.add(
        AuditLog(
            actor_id=actor.id if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label[:255],
            reason=reason,
            details=details,
        )
    )


def list_entries(
    *, action: str | None = None, actor_id: int | None = None, before_id: int | None = None,
    limit: int = 50,
) -> list[AuditLog]:  # fmt: skip
    """Return log entries newest first, filtered, as a window before ``before_id``."""
    query = sa.select(AuditLog).options(joinedload(AuditLog.actor))
    if action:
        query = query.where(AuditLog.action == action)
    if actor_id:
        query = query.where(AuditLog.actor_id == actor_id)
    if before_id:
        query = query.where(AuditLog.id < before_id)
    return list(db.session.scalars(query.order_by(AuditLog.id.desc()).limit(limit)))


def known_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).distinct().order_by(AuditLog.action)))
