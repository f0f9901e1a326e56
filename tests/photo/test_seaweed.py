"""Photos on a real S3-compatible server (SeaweedFS started by the test session, a fresh bucket per
test): upload, idempotent re-upload, hash verification, ranged and streamed reads, a store that is down
(503 with Retry-After, nothing half-written) and a store that comes back."""
import hashlib

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.photo.models import Photo
from server.photo.service import original_key
from tests.conftest import bearer
from tests.photo.conftest import make_image, put, sha


@pytest.fixture
def bucket(app, seaweed, photo_dir, monkeypatch):
    """Photos of this test in a fresh bucket of the session's SeaweedFS."""
    for k, v in seaweed.env().items():
        monkeypatch.setenv(k, v)
    name = seaweed.new_bucket()
    old = app.config["PHOTO_STORAGE"]
    app.config["PHOTO_STORAGE"] = f"s3://{name}/photos"
    yield name
    app.config["PHOTO_STORAGE"] = old


def objects(seaweed, bucket) -> dict:
    listed = seaweed.client().list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: o["ETag"] for o in listed}


def test_upload_is_stored_once_and_verified(app, client, world, seaweed, bucket):
    data = make_image("JPEG", size=(800, 600))
    token = world.tokens["inspector_a"]
    assert put(client, token, data).status_code == 201
    key = "photos/" + original_key(sha(data))
    stored = objects(seaweed, bucket)
    assert list(stored) == [key]
    assert seaweed.client().get_object(Bucket=bucket, Key=key)["Body"].read() == data
    # the same bytes again: acknowledged, not written again
    again = put(client, token, data)
    assert again.status_code == 200 and again.get_json()["status"] == "exists"
    assert objects(seaweed, bucket) == stored
    # bytes that are not what their hash says: refused, nothing stored
    other = make_image("PNG", size=(300, 200))
    wrong = put(client, token, other, digest=hashlib.sha256(b"something else").hexdigest(), content_type="image/png")
    assert wrong.status_code in (400, 422)
    assert objects(seaweed, bucket) == stored
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 1


def test_ranged_and_streamed_reads(app, client, world, seaweed, bucket):
    data = make_image("PNG", size=(1200, 900))
    assert put(client, world.tokens["inspector_a"], data, content_type="image/png").status_code == 201
    url, auth = f"/api/v1/photos/{sha(data)}/original", bearer(world.tokens["admin_a"])
    whole = client.get(url, headers=auth)
    assert whole.status_code == 200 and whole.data == data and whole.headers["Content-Type"] == "image/png"
    part = client.get(url, headers={**auth, "Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.data == data[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
    tail = client.get(url, headers={**auth, "Range": "bytes=-64"})
    assert tail.status_code == 206 and tail.data == data[-64:]
    stale = client.get(url, headers={**auth, "Range": "bytes=0-9", "If-Range": '"' + "0" * 64 + '"'})
    assert stale.status_code == 200 and stale.data == data
    beyond = client.get(url, headers={**auth, "Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(data)}"
    thumb = client.get(f"/api/v1/photos/{sha(data)}/thumb", headers=auth)
    assert thumb.status_code == 200 and thumb.data[:2] == b"\xff\xd8"
    # another station's admin sees nothing, ranged or not
    other = bearer(world.tokens["admin_b"])
    assert client.get(url, headers={**other, "Range": "bytes=0-9"}).status_code == 404


def test_store_down_then_back(app, client, world, seaweed, bucket):
    token = world.tokens["inspector_a"]
    kept = make_image("JPEG", size=(640, 480))
    assert put(client, token, kept).status_code == 201
    before = objects(seaweed, bucket)
    fresh = make_image("JPEG", size=(500, 400), quality=70)
    seaweed.stop()
    try:
        # Given the store is down, an upload is refused with a clear 503 and nothing is recorded
        r = put(client, token, fresh)
        assert r.status_code == 503 and r.headers["Retry-After"]
        assert "照片存储暂时不可用" in r.get_json()["error"]["message"]
        with app.app_context():
            assert db.session.get(Photo, sha(fresh)) is None
        read = client.get(f"/api/v1/photos/{sha(kept)}/original", headers=bearer(world.tokens["admin_a"]))
        assert read.status_code == 503
    finally:
        seaweed.start()
    # When it comes back, the same upload is stored and the earlier photo is still there, whole
    assert objects(seaweed, bucket) == before
    assert put(client, token, fresh).status_code == 201
    assert set(objects(seaweed, bucket)) == set(before) | {"photos/" + original_key(sha(fresh))}
    read = client.get(f"/api/v1/photos/{sha(kept)}/original", headers=bearer(world.tokens["admin_a"]))
    assert read.status_code == 200 and read.data == kept
