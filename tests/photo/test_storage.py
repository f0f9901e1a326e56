"""Photo storage: the local folder never shows a half-written object; S3 round-trips (moto)."""
import os

import pytest

from server.photo import storage as st
from server.photo.storage import LocalStorage, ObjectMissing, S3Storage


def test_local_round_trip(tmp_path):
    s = LocalStorage(str(tmp_path))
    s.put("originals/ab/cd/abcd", b"hello")
    assert s.exists("originals/ab/cd/abcd")
    assert s.get("originals/ab/cd/abcd") == b"hello"
    with s.open("originals/ab/cd/abcd") as f:
        assert f.read() == b"hello"
    s.delete("originals/ab/cd/abcd")
    s.delete("originals/ab/cd/abcd")
    assert not s.exists("originals/ab/cd/abcd")
    with pytest.raises(ObjectMissing):
        s.get("originals/ab/cd/abcd")


def test_local_crash_mid_write_leaves_no_partial_file(tmp_path, monkeypatch):
    # Given an object already stored
    s = LocalStorage(str(tmp_path))
    s.put("k/obj", b"old")

    # When a write dies after some bytes reached the disk but before the rename
    def crash(fd):
        raise OSError("disk gone")
    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(st.StorageUnavailable):  # a full or failing disk: 503, retried later
        s.put("k/obj", b"new" * 1000)
    with pytest.raises(st.StorageUnavailable):
        s.put("k/other", b"x" * 1000)

    # Then the old object is whole, the new key does not exist, and no temp file is left
    monkeypatch.undo()
    assert s.get("k/obj") == b"old"
    assert not s.exists("k/other")
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["obj"]


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../b", "a//b", "", "A/B", "a\\b"])
def test_keys_cannot_escape(tmp_path, key):
    with pytest.raises(ValueError):
        LocalStorage(str(tmp_path)).put(key, b"x")


def test_get_storage_picks_by_url(tmp_path, monkeypatch):
    assert isinstance(st.get_storage({"PHOTO_STORAGE": f"file://{tmp_path}"}), LocalStorage)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3 = st.get_storage({"PHOTO_STORAGE": "s3://bucket/some/prefix"})
    assert isinstance(s3, S3Storage) and (s3.bucket, s3.prefix) == ("bucket", "some/prefix/")
    with pytest.raises(ValueError):
        st.get_storage({"PHOTO_STORAGE": "ftp://x"})


@pytest.fixture
def s3_env(monkeypatch):
    from moto import mock_aws
    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("S3_ENDPOINT_URL", raising=False)
    with mock_aws():
        import boto3
        boto3.client("s3").create_bucket(Bucket="fangxin-photos")
        yield


def test_s3_round_trip(s3_env):
    s = st.from_url("s3://fangxin-photos/prod")
    assert not s.exists("originals/ab/cd/x")
    s.put("originals/ab/cd/x", b"\xff\xd8bytes")
    assert s.exists("originals/ab/cd/x")
    assert s.get("originals/ab/cd/x") == b"\xff\xd8bytes"
    assert s.open("originals/ab/cd/x").read() == b"\xff\xd8bytes"
    head = s.client.head_object(Bucket="fangxin-photos", Key="prod/originals/ab/cd/x")
    assert head["ContentType"] == "application/octet-stream"
    s.delete("originals/ab/cd/x")
    assert not s.exists("originals/ab/cd/x")
    with pytest.raises(ObjectMissing):
        s.get("originals/ab/cd/x")


def test_upload_and_read_through_s3(app, client, world, s3_env):
    from tests.conftest import bearer
    from tests.photo.conftest import make_image, put, sha
    app.config["PHOTO_STORAGE"] = "s3://fangxin-photos/photos"
    data = make_image("PNG")
    assert put(client, world.tokens["inspector_a"], data, content_type="image/png").status_code == 201
    assert put(client, world.tokens["inspector_a"], data, content_type="image/png").status_code == 200
    resp = client.get(f"/api/v1/photos/{sha(data)}/original", headers=bearer(world.tokens["admin_a"]))
    assert resp.data == data and resp.headers["Content-Type"] == "image/png"
    thumb = client.get(f"/api/v1/photos/{sha(data)}/thumb", headers=bearer(world.tokens["admin_a"]))
    assert thumb.status_code == 200 and thumb.data[:2] == b"\xff\xd8"


def test_full_disk_answers_503_and_records_nothing(app, client, world, photo_dir, monkeypatch):
    import errno

    from server.extensions import db
    from server.photo.models import Photo
    from tests.photo.conftest import make_image, put, sha, stored_files

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    data = make_image("JPEG")
    monkeypatch.setattr(os, "fsync", full)
    r = put(client, world.tokens["inspector_a"], data)
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert "照片存储暂时不可用" in r.get_json()["error"]["message"]
    assert stored_files(photo_dir) == []
    with app.app_context():
        assert db.session.get(Photo, sha(data)) is None
    monkeypatch.undo()
    assert put(client, world.tokens["inspector_a"], data).status_code == 201
