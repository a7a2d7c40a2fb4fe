"""Uploads in an S3-compatible object store (MinIO, Ceph, AWS, Hetzner, ...).

For installations with several app servers: every server reads and writes the
same bucket. The app still checks every request and sends the bytes itself,
so the bucket stays private (no public ACL, no presigned links to leak).
Needs boto3 (the ``s3`` extra). Settings: ``UPLOAD_S3_BUCKET``,
``UPLOAD_S3_ENDPOINT_URL`` (empty: AWS), ``UPLOAD_S3_REGION``,
``UPLOAD_S3_ACCESS_KEY_ID``, ``UPLOAD_S3_SECRET_ACCESS_KEY``.
"""

from collections.abc import Mapping
from typing import Any


class S3Backend:
    """Objects named ``uploads/ab/cd/<key>`` in one bucket."""

    PREFIX = "uploads/"

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "S3Backend":
        """Build the backend from the app's ``UPLOAD_S3_*`` settings."""
        import boto3

        if not config.get("UPLOAD_S3_BUCKET"):
            raise RuntimeError('UPLOAD_STORAGE = "s3" needs UPLOAD_S3_BUCKET')
        client = boto3.client(
            "s3",
            endpoint_url=config.get("UPLOAD_S3_ENDPOINT_URL") or None,
            region_name=config.get("UPLOAD_S3_REGION") or None,
            aws_access_key_id=config.get("UPLOAD_S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("UPLOAD_S3_SECRET_ACCESS_KEY") or None,
        )
        return cls(client, config["UPLOAD_S3_BUCKET"])

    def _name(self, key: str) -> str:
        return f"{self.PREFIX}{key[:2]}/{key[2:4]}/{key}"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            return None
        with answer["Body"] as body:
            return body.read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def stored_keys(self) -> list[str]:
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.PREFIX
        )
        for page in pages:
            found += [item["Key"].rsplit("/", 1)[1] for item in page.get("Contents", [])]
        return sorted(found)
