"""The S3-compatible storage, against moto's S3 server on loopback (a real HTTP endpoint)."""

import io
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from forum.boards.models import ReadLevel
from forum.extensions import db
from forum.uploads import storage
from forum.uploads.services import remove_orphans, save_upload
from forum.users.models import User
from tests.uploads import pictures

CREDENTIALS = {"UPLOAD_S3_ACCESS_KEY_ID": "testing", "UPLOAD_S3_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def app_config(app_config, s3_endpoint):
    bucket = "forum-uploads"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
    client.close()
    return {
        **app_config,
        **CREDENTIALS,
        "UPLOAD_STORAGE": "s3",
        "UPLOAD_S3_BUCKET": bucket,
        "UPLOAD_S3_ENDPOINT_URL": s3_endpoint,
        "UPLOAD_S3_REGION": "eu-central-1",
    }


def test_uploads_live_in_the_bucket_and_are_served(app, make, client):
    writer = make.user()
    with app.test_request_context():
        saved = save_upload(db.session.get(User, writer.id), pictures.jpeg_with_gps(), "a.jpg", "x")
        key, markdown = saved.upload.key, saved.markdown
        assert type(storage.backend()).__name__ == "S3Backend"
        assert key in storage.backend().stored_keys()
    assert not Path(app.instance_path, "uploads").exists()  # nothing on this server's disk
    make.topic(author=writer, category=make.category(read_level=ReadLevel.PUBLIC), raw=markdown)

    response = client.get(f"/uploads/{key}")

    assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(response.data)).getexif()


def test_cleanup_removes_objects(app, make):
    from datetime import timedelta

    writer = make.user()
    with app.test_request_context():
        key = save_upload(db.session.get(User, writer.id), pictures.png(), "a.png", "x").upload.key
        assert key in storage.backend().stored_keys()
        removed = remove_orphans(older_than=timedelta(0))
        assert [u.key for u in removed] == [key]
        assert key not in storage.backend().stored_keys()
        assert storage.load(key) is None
