"""Where photo bytes live: one small interface, a local folder or S3-compatible object storage.

Records hold storage keys ("originals/ab/cd/<sha>"), never paths, so any app server behind a load
balancer can read what another wrote once PHOTO_STORAGE points at shared object storage.
"""
import io
import os
import re
import shutil
import tempfile
from typing import BinaryIO, Protocol
from urllib.parse import urlparse

KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$")


class ObjectMissing(KeyError):
    """No object under that key."""


class StorageUnavailable(Exception):
    """The store cannot be reached or refused the write (down, timing out, disk full): nothing was
    stored; the request answers 503 and may be retried (server.web)."""


class Storage(Protocol):
    def put(self, key: str, data: bytes | BinaryIO) -> None: ...
    def get(self, key: str) -> bytes: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def open_range(self, key: str, start: int, stop: int) -> BinaryIO: ...
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

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        """Store bytes (or a readable file, copied from where it stands) under key; a reader sees the old
        object or the whole new one, never a part. StorageUnavailable when the disk is full or failing
        (the temp file is removed)."""
        try:
            self._put(key, data)
        except OSError as e:
            raise StorageUnavailable(f"local photo store: {e.strerror or e}") from e

    def _put(self, key: str, data: bytes | BinaryIO) -> None:
        path = self._path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        # The temp file sits in the target folder so os.replace is a rename on one filesystem.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    f.write(data)
                else:
                    shutil.copyfileobj(data, f, 1024 * 1024)
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

    def open_range(self, key: str, start: int, stop: int) -> BinaryIO:
        """A stream of bytes [start, stop) of the object."""
        with self.open(key) as f:
            f.seek(start)
            return io.BytesIO(f.read(stop - start))

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

    # A worker must not hang on a store that is down: a few seconds to connect, one retry, then 503.
    TIMEOUTS = {"connect_timeout": 3, "read_timeout": 20, "retries": {"max_attempts": 2, "mode": "standard"}}

    def __init__(self, bucket: str, prefix: str = "", client=None, **client_args):
        import boto3
        from botocore.config import Config
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", config=Config(**self.TIMEOUTS), **client_args)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _call(self, key: str, op, **args):
        """One S3 call; a missing key is ObjectMissing, a store that is down or failing (connection
        refused, timeout, 5xx) is StorageUnavailable; any other refusal (403, bad bucket) is raised as is."""
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            return op(Bucket=self.bucket, Key=self._key(key), **args)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            if code in ("NoSuchKey", "404", "NotFound"):
                raise ObjectMissing(key) from None
            if status >= 500 or code in ("InternalError", "ServiceUnavailable", "SlowDown"):
                raise StorageUnavailable(f"S3 {code}") from e
            raise
        except BotoCoreError as e:  # endpoint down, timeouts, a connection closed mid-body
            raise StorageUnavailable(f"S3: {e}") from e

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        """Store bytes, or a readable seekable file, under key (one PUT: the object is there whole or not
        at all)."""
        # A neutral type: should the bucket ever be exposed, nothing is served as HTML or script.
        self._call(key, self.client.put_object, Body=data, ContentType="application/octet-stream")

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object; the caller closes it."""
        return self._call(key, self.client.get_object)["Body"]

    def open_range(self, key: str, start: int, stop: int) -> BinaryIO:
        """A stream of bytes [start, stop) of the object, fetched as a ranged GET."""
        return self._call(key, self.client.get_object, Range=f"bytes={start}-{stop - 1}")["Body"]

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        body = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        """Whether an object is stored under key."""
        try:
            self._call(key, self.client.head_object)
            return True
        except ObjectMissing:
            return False

    def delete(self, key: str) -> None:
        """Remove the object; no error if it is not there."""
        self._call(key, self.client.delete_object)


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
