"""Imports every model module so the metadata (and Alembic) sees all tables."""

from forum import idempotency as submission_models
from forum import kept as kept_models
from forum.api import models as api_models
from forum.auth import models as auth_models
from forum.boards import models as boards_models
from forum.membership import models as membership_models
from forum.messages import models as message_models
from forum.moderation import models as moderation_models
from forum.notifications import models as notification_models
from forum.organisations import models as organisation_models
from forum.site import models as site_models
from forum.uploads import models as upload_models
from forum.users import models as user_models

__all__ = [
    "api_models",
    "auth_models",
    "boards_models",
    "kept_models",
    "membership_models",
    "message_models",
    "moderation_models",
    "notification_models",
    "organisation_models",
    "site_models",
    "submission_models",
    "upload_models",
    "user_models",
]
