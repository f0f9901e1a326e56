"""PUT /api/v1/photos/<sha256>: verified, idempotent, retryable, checked by content and bounded."""
import io

import pytest
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from server.photo.models import Photo
from server.photo.service import MAX_BYTES
from tests.conftest import bearer
from tests.photo.conftest import make_image, put, sha, stored_files


def chinese(resp) -> str:
    msg = resp.get_json()["error"]["message"]
    assert any("\u4e00" <= c <= "\u9fff" for c in msg), msg
    return msg


def photo_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Photo))


def assert_nothing_stored(app, photo_dir):
    assert photo_rows(app) == 0
    assert stored_files(photo_dir) == []


@pytest.mark.parametrize("fmt,mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_upload_each_format(app, client, world, photo_dir, fmt, mime):
    data = make_image(fmt)
    resp = put(client, world.tokens["inspector_a"], data, content_type=mime)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "stored"
    assert body["photo"] == {**body["photo"], "sha256": sha(data), "size": len(data), "mime": mime,
                             "width": 640, "height": 480, "uploaded_by": world.ids["inspector_a"],
                             "station_id": world.ids["a"]}
    with app.app_context():
        photo = db.session.get(Photo, sha(data))
        assert photo.original_key == f"originals/{sha(data)[:2]}/{sha(data)[2:4]}/{sha(data)}"
        assert photo.thumb_key.startswith("thumbs/") and photo.thumb_key.endswith(".jpg")
        assert not photo.original_key.startswith("/") and str(photo_dir) not in photo.original_key
    assert [p.name for p in stored_files(photo_dir)] == [sha(data)]  # the thumbnail waits for its first view


def test_truncated_file_with_its_own_hash_refused(app, client, world, photo_dir):
    """A file broken on the phone (its hash matches what arrived) is refused by decoding it to its end."""
    data = make_image(size=(1600, 1200), quality=95)[:-4000]
    resp = put(client, world.tokens["inspector_a"], data)
    assert resp.status_code == 422
    assert "损坏" in chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_truncated_file_still_refused_once_printing_was_loaded(app, client, world, photo_dir):
    """WeasyPrint relaxes Pillow's truncated-image check for the process when imported; printing must
    not switch the upload check off."""
    from server.report import pdf
    pdf.weasyprint()
    resp = put(client, world.tokens["inspector_a"], make_image(size=(1600, 1200), quality=95)[:-4000])
    assert resp.status_code == 422
    assert_nothing_stored(app, photo_dir)


def test_second_upload_is_idempotent(app, client, world, photo_dir):
    data = make_image()
    assert put(client, world.tokens["inspector_a"], data).status_code == 201
    files = {p: p.stat().st_mtime_ns for p in stored_files(photo_dir)}
    again = put(client, world.tokens["inspector_a"], data)
    assert again.status_code == 200
    assert again.get_json()["status"] == "exists"
    assert {p: p.stat().st_mtime_ns for p in stored_files(photo_dir)} == files
    assert photo_rows(app) == 1


def test_detected_type_wins_over_declared(client, world):
    data = make_image("PNG")
    resp = put(client, world.tokens["inspector_a"], data, content_type="image/jpeg")
    assert resp.status_code == 201
    assert resp.get_json()["photo"]["mime"] == "image/png"


def test_hash_mismatch_refused(app, client, world, photo_dir):
    data = make_image()
    resp = put(client, world.tokens["inspector_a"], data, digest=sha(b"something else"))
    assert resp.status_code == 422
    assert "SHA-256" in chinese(resp)
    assert_nothing_stored(app, photo_dir)


@pytest.mark.parametrize("digest", ["abc", "G" * 64, "A" * 64, "a" * 65])
def test_malformed_hash_refused(app, client, world, photo_dir, digest):
    resp = put(client, world.tokens["inspector_a"], make_image(), digest=digest)
    assert resp.status_code == 422
    chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_truncated_upload_then_retry(app, client, world, photo_dir):
    # Given a connection that broke halfway through the body
    data = make_image(size=(1200, 900), quality=95)
    half = put(client, world.tokens["inspector_a"], data[: len(data) // 2], digest=sha(data))
    # Then the server refuses it and keeps nothing
    assert half.status_code == 422
    chinese(half)
    assert_nothing_stored(app, photo_dir)
    # When the device retries with the whole photo, it is stored
    full = put(client, world.tokens["inspector_a"], data)
    assert full.status_code == 201
    assert photo_rows(app) == 1


NOT_IMAGES = {
    "html": b"<!doctype html><html><script>alert(1)</script></html>",
    "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "gif": make_image("GIF"),
    "empty": b"",
}


@pytest.mark.parametrize("name", list(NOT_IMAGES))
def test_non_image_refused(app, client, world, photo_dir, name):
    data = NOT_IMAGES[name]
    resp = put(client, world.tokens["inspector_a"], data)
    assert resp.status_code == 422
    chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_declared_non_image_type_refused(app, client, world, photo_dir):
    resp = put(client, world.tokens["inspector_a"], make_image(), content_type="text/html")
    assert resp.status_code == 415
    chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_oversized_body_refused(app, client, world, photo_dir):
    data = b"\xff\xd8\xff" + b"\0" * (MAX_BYTES - 2)
    resp = put(client, world.tokens["inspector_a"], data)
    assert resp.status_code == 413
    chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_oversized_body_without_length_refused(app, client, world, photo_dir):
    # A client that sends no Content-Length (chunked) is cut off by counting, not by trusting it.
    data = b"\xff\xd8\xff" + b"\0" * (MAX_BYTES - 2)
    resp = client.put(f"/api/v1/photos/{sha(data)}", input_stream=io.BytesIO(data),
                      headers={**bearer(world.tokens["inspector_a"]), "Content-Type": "image/jpeg"},
                      environ_overrides={"wsgi.input_terminated": True})
    assert resp.status_code == 413
    chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_body_of_exactly_the_limit_is_read():
    from server.core.errors import TooLarge
    from server.photo.service import read_limited
    assert len(read_limited(io.BytesIO(b"x" * MAX_BYTES))) == MAX_BYTES
    with pytest.raises(TooLarge):
        read_limited(io.BytesIO(b"x" * (MAX_BYTES + 1)))


def test_over_50_megapixels_refused(app, client, world, photo_dir):
    data = make_image("JPEG", size=(7100, 7100), mode="L")
    resp = put(client, world.tokens["inspector_a"], data)
    assert resp.status_code == 422
    assert "像素" in chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_exactly_50_megapixels_accepted(client, world):
    data = make_image("JPEG", size=(10000, 5000), mode="L")
    resp = put(client, world.tokens["inspector_a"], data)
    assert resp.status_code == 201, resp.get_json()


@pytest.mark.parametrize("side", [10000, 30000])
def test_decompression_bomb_refused(app, client, world, photo_dir, side):
    # A 1-bit PNG of side² pixels compresses to a few KB but would decode to hundreds of MB.
    data = make_image("PNG", size=(side, side), mode="1", optimize=True)
    assert len(data) < 200_000
    resp = put(client, world.tokens["inspector_a"], data, content_type="image/png")
    assert resp.status_code == 422
    assert "像素" in chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_pixel_bound_applies_with_pillow(app):
    assert Image.MAX_IMAGE_PIXELS == 50_000_000


def test_revoked_token_gets_401(app, client, world, photo_dir):
    from server.account.models import DeviceToken
    from server.core.clock import utcnow
    with app.app_context():
        db.session.execute(sa.update(DeviceToken).values(revoked_at=utcnow()))
        db.session.commit()
    resp = put(client, world.tokens["inspector_a"], make_image())
    assert resp.status_code == 401
    chinese(resp)
    assert_nothing_stored(app, photo_dir)


def test_no_token_gets_401(client, world):
    data = make_image()
    resp = client.put(f"/api/v1/photos/{sha(data)}", data=data, content_type="image/jpeg")
    assert resp.status_code == 401
    chinese(resp)


def test_upload_is_audited_once(app, client, world):
    """The row goes in with one INSERT (no unit of work): its audit entry is still written, and only once."""
    from server.core.audit import AuditLog
    data = make_image()
    assert put(client, world.tokens["inspector_a"], data).status_code == 201
    assert put(client, world.tokens["inspector_a"], data).status_code == 200
    with app.app_context():
        [entry] = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "photo")).all()
        assert (entry.action, entry.entity_id, entry.user_id) == ("insert", sha(data), world.ids["inspector_a"])
        assert entry.device.startswith("token:")
        assert entry.changes["size"] == len(data) and entry.changes["original_key"].startswith("originals/")
