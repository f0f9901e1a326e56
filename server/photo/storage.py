"""Where photo bytes live: one small interface, a local folder or S3-compatible object storage.

Records hold storage keys ("originals/ab/cd/<sha>"), never paths, so any app server behind a load
balancer can read what another wrote once PHOTO_STORAGE points at shared object storage.
"""
import os
import re
import tempfile
from typing import BinaryIO, Protocol
from urllib.parse import urlparse

KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$")


class ObjectMissing(KeyError):
    """No object under that key."""


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """The key if it is a plain relative name (no '..', no leading '/'); ValueError otherwise."""
    if not KEY.match(key) or ".." in key:
        raise ValueError(f"bad storage key: {key!r}")
    return key


class LocalStorage:
    """Objects as files under a root folder; writes are atomic (temp file, fsync, rename)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *check_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        """Store bytes under key; a reader sees the old object or the whole new one, never a part."""
        path = self._path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        # The temp file sits in the target folder so os.replace is a rename on one filesystem.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the object; the caller closes it."""
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise ObjectMissing(key) from None

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        with self.open(key) as f:
            return f.read()

    def exists(self, key: str) -> bool:
        """Whether an object is stored under key."""
        return os.path.isfile(self._path(key))

    def delete(self, key: str) -> None:
        """Remove the object; no error if it is not there."""
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass


class S3Storage:
    """Objects in an S3-compatible bucket under a prefix. A PUT to S3 is atomic: no partial objects."""

    def __init__(self, bucket: str, prefix: str = "", client=None, **client_args):
        import boto3
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", **client_args)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        """Store bytes under key."""
        # A neutral type: should the bucket ever be exposed, nothing is served as HTML or script.
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                               ContentType="application/octet-stream")

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object; the caller closes it."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise ObjectMissing(key) from None

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        body = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        """Whether an object is stored under key."""
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def delete(self, key: str) -> None:
        """Remove the object; no error if it is not there."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def from_url(url: str, env=os.environ) -> Storage:
    """The storage a PHOTO_STORAGE URL names: file:///dir or s3://bucket/prefix."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(parsed.netloc + parsed.path if parsed.netloc else parsed.path)
    if parsed.scheme == "s3" and parsed.netloc:
        args = {"endpoint_url": env.get("S3_ENDPOINT_URL") or None,
                "region_name": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None}
        # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, roles).
        return S3Storage(parsed.netloc, parsed.path, **{k: v for k, v in args.items() if v})
    raise ValueError(f"PHOTO_STORAGE must be file:///dir or s3://bucket/prefix, not {url!r}")


def get_storage(app_or_config) -> Storage:
    """The photo storage configured for an app (cached per URL) or a plain config mapping."""
    config = getattr(app_or_config, "config", app_or_config)
    url = config["PHOTO_STORAGE"]
    ext = getattr(app_or_config, "extensions", None)
    if ext is None:
        return from_url(url)
    cached = ext.get("photo_storage")
    if cached is None or cached[0] != url:
        cached = ext["photo_storage"] = (url, from_url(url))
    return cached[1]


def current_storage() -> Storage:
    """The storage of the current Flask app."""
    from flask import current_app
    return get_storage(current_app)
