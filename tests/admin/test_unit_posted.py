"""Staff confirm a sign posted on the unit page with a photo they upload themselves (issue 15, item 1: the photo
must be uploaded by the one confirming); every refusal in Chinese, nothing changed."""
import io

import sqlalchemy as sa
from PIL import Image

from server.account.models import User
from server.extensions import db
from server.photo.models import Photo
from server.signage.models import Sign
from server.unit.models import Unit, UnitYear
from tests.conftest import YEAR, certify


def _jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed % 256, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def _stage(app, unit_id):
    with app.app_context():
        return db.session.scalar(sa.select(UnitYear.stage).where(UnitYear.unit_id == unit_id, UnitYear.year == YEAR))


def _issued(app, world, key="unit_a", admin="admin_a"):
    with app.app_context():
        certify(db.session.get(User, world.ids[admin]), db.session.get(Unit, world.ids[key]), to="sign_issued")
        db.session.commit()


def test_staff_confirm_posting_with_their_own_photo(app, as_user, world, count):
    _issued(app, world)
    unit = world.ids["unit_a"]
    client = as_user("a_admin")
    page = client.get(f"/units/{unit}?year={YEAR}").get_data(as_text=True)
    assert "确认标识已张贴" in page and 'enctype="multipart/form-data"' in page and 'name="photo"' in page
    photo = _jpeg(1)
    r = client.post(f"/units/{unit}/posted", data={"year": YEAR, "note": "所里补拍",
                                                   "photo": (io.BytesIO(photo), "wall.jpg")},
                    content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[-2000:]
    assert _stage(app, unit) == "sign_posted"
    with app.app_context():
        sign = db.session.scalar(sa.select(Sign).where(Sign.unit_id == unit))
        admin = world.ids["admin_a"]
        assert sign.posted_by == admin and sign.posted_photo_sha256
        assert db.session.get(Photo, sign.posted_photo_sha256).uploaded_by == admin
    assert "已确认标识张贴" in client.get(f"/units/{unit}?year={YEAR}").get_data(as_text=True)


def test_refusals_are_in_chinese_and_change_nothing(app, as_user, world, count):
    unit = world.ids["unit_a"]
    client = as_user("a_admin")

    def post(**files):
        data = {"year": YEAR, **{k: (io.BytesIO(v), "p.jpg") for k, v in files.items()}}
        return client.post(f"/units/{unit}/posted", data=data, content_type="multipart/form-data")

    # No sign in force yet: refused before anything is stored
    r = post(photo=_jpeg(2))
    assert r.status_code == 422 and "没有有效标识" in r.get_data(as_text=True)
    assert count(Photo) == 0
    _issued(app, world)
    # No photo
    r = post()
    assert r.status_code == 422 and "请上传本人拍摄的张贴照片" in r.get_data(as_text=True)
    # Not an image
    r = post(photo=b"%PDF-1.4 not a photo")
    assert r.status_code == 422 and "不是可识别的 JPEG、PNG 或 WebP 图片" in r.get_data(as_text=True)
    assert count(Photo) == 0 and _stage(app, unit) == "sign_issued"
    # A photo someone else uploaded (the same bytes the inspector sent): not the confirmer's
    photo = _jpeg(3)
    from server.photo.service import store_photo
    import hashlib
    with app.app_context():
        store_photo(db.session.get(User, world.ids["inspector_a"]), hashlib.sha256(photo).hexdigest(), photo)
        db.session.commit()
    r = post(photo=photo)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "不是本人拍摄上传" in body, body[-2000:]
    assert _stage(app, unit) == "sign_issued"
    with app.app_context():
        assert db.session.scalar(sa.select(Sign.posted_at).where(Sign.unit_id == unit)) is None
    # Another station's unit: not found
    r = client.post(f"/units/{world.ids['unit_b']}/posted", data={"year": YEAR}, content_type="multipart/form-data")
    assert r.status_code == 404
