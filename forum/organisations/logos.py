"""Organisation logos: uploaded by a representative on the profile form, made
square in two sizes by the upload pipeline (re-encoded, without metadata) and
served to everybody at ``/uploads/<key>`` (docs/uploads.md)."""

import sqlalchemy as sa
from flask import Flask

from forum import permissions
from forum.errors import NotAllowed
from forum.extensions import db
from forum.organisations.models import Organisation
from forum.review.audit import log_action
from forum.uploads import services as uploads
from forum.uploads.models import UploadKind
from forum.users.models import User

#: The largest size (the profile), then the card's and the topic's.
LOGO_SIDES = (256, 96)


def set_logo(actor: User, organisation: Organisation, data: bytes) -> None:
    """Make the picture in ``data`` the organisation's logo; raises ``UploadRefused``."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise NotAllowed("not a representative")
    large, *_ = uploads.save_public_image(actor, data, kind=UploadKind.LOGO, sides=LOGO_SIDES)
    organisation.logo_key = large.key
    log_action(
        actor, "update_organisation", target_type="organisation", target_id=organisation.id,
        target_label=organisation.name, changed=["logo"],
    )  # fmt: skip
    db.session.commit()


def remove_logo(actor: User, organisation: Organisation) -> None:
    """Go back to the initial; the uploads cleanup removes the files later."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise NotAllowed("not a representative")
    organisation.logo_key = None
    log_action(
        actor, "update_organisation", target_type="organisation", target_id=organisation.id,
        target_label=organisation.name, changed=["logo"],
    )  # fmt: skip
    db.session.commit()


def logos_in_use() -> set[str]:
    """The keys the uploads cleanup must keep (the largest size; smaller ones follow)."""
    return set(
        db.session.scalars(
            sa.select(Organisation.logo_key).where(Organisation.logo_key.is_not(None))
        )
    )


def init_app(app: Flask) -> None:
    uploads.register_references(app, UploadKind.LOGO, logos_in_use)
