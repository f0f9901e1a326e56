"""Reading photos back: metadata, a clean upright thumbnail, the untouched original, only within scope."""
import io

import pytest
from PIL import ExifTags, Image

from server.photo import service
from tests.conftest import bearer
from tests.photo.conftest import make_image, put, sha


def exif_photo() -> bytes:
    """A landscape JPEG taken 'sideways' (Orientation 6) with camera and GPS tags."""
    img = Image.linear_gradient("L").resize((800, 400)).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "TestCam"
    gps = ExifTags.GPS
    exif[ExifTags.IFD.GPSInfo] = {gps.GPSLatitudeRef: "N", gps.GPSLatitude: (28.0, 39.0, 0.0),
                                  gps.GPSLongitudeRef: "E", gps.GPSLongitude: (120.0, 5.0, 0.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


@pytest.fixture
def uploaded(client, world):
    data = exif_photo()
    assert put(client, world.tokens["inspector_a"], data).status_code == 201
    return data


def test_metadata(client, world, uploaded):
    resp = client.get(f"/api/v1/photos/{sha(uploaded)}", headers=bearer(world.tokens["admin_a"]))
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["sha256"] == sha(uploaded) and body["mime"] == "image/jpeg"
    assert (body["width"], body["height"]) == (800, 400)  # as stored, before orientation
    assert "original_key" not in body and "thumb_key" not in body


def test_thumbnail_upright_and_without_metadata(client, world, uploaded):
    resp = client.get(f"/api/v1/photos/{sha(uploaded)}/thumb", headers=bearer(world.tokens["inspector_a"]))
    assert resp.status_code == 200
    assert resp.mimetype == "image/jpeg"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    thumb = Image.open(io.BytesIO(resp.data))
    assert thumb.format == "JPEG"
    assert thumb.size == (240, 480)  # 800x400 turned a quarter: long side 480
    assert not thumb.getexif()
    assert "exif" not in thumb.info and "icc_profile" not in thumb.info
    assert b"Exif" not in resp.data and b"TestCam" not in resp.data


def test_thumbnail_made_on_first_view_then_kept(client, world, uploaded, photo_dir):
    thumbs = lambda: [p for p in photo_dir.rglob("*.jpg") if "thumbs" in p.parts]  # noqa: E731
    assert thumbs() == []
    url = f"/api/v1/photos/{sha(uploaded)}/thumb"
    first = client.get(url, headers=bearer(world.tokens["inspector_a"]))
    assert first.status_code == 200 and len(thumbs()) == 1
    made = thumbs()[0].stat().st_mtime_ns
    second = client.get(url, headers=bearer(world.tokens["admin_a"]))
    assert second.data == first.data and thumbs()[0].stat().st_mtime_ns == made


def test_undecodable_original_gives_a_clear_error(app, client, world, uploaded, photo_dir):
    """An original damaged in storage after upload: a 422 with a message, not a crash."""
    original = next(p for p in photo_dir.rglob(sha(uploaded)))
    original.write_bytes(b"not an image any more")
    resp = client.get(f"/api/v1/photos/{sha(uploaded)}/thumb", headers=bearer(world.tokens["inspector_a"]))
    assert resp.status_code == 422 and "损坏" in resp.get_json()["error"]["message"]


def test_original_byte_identical_with_exif(client, world, uploaded):
    url = f"/api/v1/photos/{sha(uploaded)}/original"
    resp = client.get(url, headers=bearer(world.tokens["inspector_a"]))
    assert resp.status_code == 200
    assert resp.data == uploaded
    assert resp.headers["Content-Type"] == "image/jpeg"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert "private" in resp.headers["Cache-Control"]
    exif = Image.open(io.BytesIO(resp.data)).getexif()
    assert exif[ExifTags.Base.Orientation] == 6
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_original_served_with_detected_type_only(client, world):
    data = make_image("WEBP")
    assert put(client, world.tokens["inspector_a"], data, content_type="image/jpeg").status_code == 201
    resp = client.get(f"/api/v1/photos/{sha(data)}/original", headers=bearer(world.tokens["inspector_a"]))
    assert resp.headers["Content-Type"] == "image/webp"
    assert resp.headers["Content-Disposition"].endswith('.webp')


def test_conditional_get_by_hash(client, world, uploaded):
    url = f"/api/v1/photos/{sha(uploaded)}/thumb"
    first = client.get(url, headers=bearer(world.tokens["inspector_a"]))
    headers = {**bearer(world.tokens["inspector_a"]), "If-None-Match": first.headers["ETag"]}
    again = client.get(url, headers=headers)
    assert again.status_code == 304


ENDPOINTS = ["", "/thumb", "/original"]
SEES = {"inspector_a": True, "admin_a": True, "county_admin": True, "inspector_b": False, "admin_b": False}


@pytest.mark.parametrize("suffix", ENDPOINTS)
@pytest.mark.parametrize("who", list(SEES))
def test_scope(client, world, uploaded, who, suffix):
    resp = client.get(f"/api/v1/photos/{sha(uploaded)}{suffix}", headers=bearer(world.tokens[who]))
    assert resp.status_code == (200 if SEES[who] else 404)
    if not SEES[who]:
        assert resp.get_json()["error"]["message"] == "找不到该照片"


def test_county_admin_upload_seen_by_county_only(client, world):
    data = make_image()
    assert put(client, world.tokens["county_admin"], data).status_code == 201
    for who, status in (("county_admin", 200), ("admin_a", 404), ("inspector_b", 404)):
        resp = client.get(f"/api/v1/photos/{sha(data)}", headers=bearer(world.tokens[who]))
        assert resp.status_code == status


@pytest.mark.parametrize("digest", ["0" * 64, "nothex", "A" * 64])
def test_unknown_or_malformed_is_404(client, world, digest):
    resp = client.get(f"/api/v1/photos/{digest}", headers=bearer(world.tokens["county_admin"]))
    assert resp.status_code == 404


def test_revoked_token_cannot_read(app, client, world, uploaded):
    import sqlalchemy as sa
    from server.account.models import DeviceToken
    from server.core.clock import utcnow
    from server.extensions import db
    with app.app_context():
        db.session.execute(sa.update(DeviceToken).values(revoked_at=utcnow()))
        db.session.commit()
    url = f"/api/v1/photos/{sha(uploaded)}/original"
    assert client.get(url, headers=bearer(world.tokens["inspector_a"])).status_code == 401


def test_missing_photos_and_get_photo(app, client, world, uploaded):
    other = sha(b"not uploaded")
    with app.app_context():
        assert service.missing_photos([sha(uploaded), other, "junk"]) == {other, "junk"}
        assert service.missing_photos([]) == set()
        from server.account.models import User
        from server.extensions import db
        admin_a = db.session.get(User, world.ids["admin_a"])
        assert service.get_photo(admin_a, sha(uploaded)).size == len(uploaded)
        with pytest.raises(service.NotFound):
            service.get_photo(db.session.get(User, world.ids["admin_b"]), sha(uploaded))


def test_openapi_documents_photos(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    put_op = spec["paths"]["/api/v1/photos/{sha256}"]["put"]
    assert "image/jpeg" in put_op["requestBody"]["content"]
    assert {"201", "200", "413"} <= set(put_op["responses"])
    assert "PhotoSchema" in str(spec["components"]["schemas"]) or "Photo" in spec["components"]["schemas"]
