"""Photo fixtures: the photo blueprint on the session app, fresh storage per test, image factories."""
import hashlib
import io

import pytest
from PIL import Image



@pytest.fixture(autouse=True)
def photo_dir(app, tmp_path):
    """Every test stores photos in a folder of its own."""
    old = app.config["PHOTO_STORAGE"]
    root = tmp_path / "photos"
    app.config["PHOTO_STORAGE"] = f"file://{root}"
    yield root
    app.config["PHOTO_STORAGE"] = old


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_image(fmt="JPEG", size=(640, 480), mode="RGB", **save) -> bytes:
    """A real image with some detail (a gradient), so it is not trivially small."""
    img = Image.linear_gradient("L").resize(size).convert(mode) if mode != "1" else Image.new("1", size)
    out = io.BytesIO()
    img.save(out, fmt, **save)
    return out.getvalue()


def stored_files(root) -> list:
    """Every file under the storage root, temp files included."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def put(client, token, data: bytes, digest=None, content_type="image/jpeg", **kw):
    from tests.conftest import bearer
    return client.put(f"/api/v1/photos/{digest or sha(data)}", data=data,
                      headers={**bearer(token), "Content-Type": content_type}, **kw)
