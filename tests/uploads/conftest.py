"""Fixtures for the upload tests: a member who may post pictures at once."""

import io

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from forum.extensions import db
from forum.uploads.models import PostUpload, Upload


@pytest.fixture
def app_config(app_config):
    # Holding is tested on its own (test_limits.py); here posts are published at once.
    app_config["HOLD_FIRST_POSTS"] = 0
    app_config["UPLOAD_HOLD_POSTS"] = 0
    return app_config


def upload_file(client, url: str, data: bytes, filename: str, **fields):
    """Send the composer at ``url`` with a file, pressing "Upload" unless told otherwise."""
    form = {"attachment": FileStorage(io.BytesIO(data), filename), **fields}
    form.setdefault("upload", "Upload")
    form = {name: value for name, value in form.items() if value is not None}
    # Encoded here: the test client spools large bodies to a file it never closes.
    boundary, body = encode_multipart(form)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def uploads_of(app):
    """Return the uploads (largest sizes) ``user`` made, oldest first."""

    def _uploads(user) -> list[Upload]:
        with app.app_context():
            rows = db.session.scalars(
                sa.select(Upload)
                .where(Upload.user_id == user.id, Upload.parent_id.is_(None))
                .order_by(Upload.id)
            ).all()
            db.session.expunge_all()
            return list(rows)

    return _uploads


@pytest.fixture
def links(app):
    def _links(post_id: int) -> set[int]:
        with app.app_context():
            return set(
                db.session.scalars(
                    sa.select(PostUpload.upload_id).where(PostUpload.post_id == post_id)
                )
            )

    return _links
