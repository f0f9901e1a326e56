"""Staff confirm a sign posted on the unit page in a real browser, at phone and desktop width: the photo chosen
in the file input is uploaded with the form and becomes the posting's photo, uploaded by the one confirming."""
import pytest
import sqlalchemy as sa

from server.account.models import User
from server.extensions import db
from server.photo.models import Photo
from server.signage.models import Sign
from server.unit.models import Unit
from tests.conftest import PASSWORD, YEAR, certify
from tests.e2e.conftest import no_horizontal_overflow, page_login, shot
from tests.e2e.pwa_helpers import jpeg


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_staff_confirm_the_posting_with_their_own_photo(request, width, live_server, world, app, tmp_path):
    page = request.getfixturevalue(width)
    with app.app_context():
        certify(db.session.get(User, world.ids["admin_a"]), db.session.get(Unit, world.ids["unit_a"]),
                to="sign_issued")
        db.session.commit()
    unit = world.ids["unit_a"]
    page_login(page, live_server, "a_admin", PASSWORD)
    page.goto(f"{live_server}/units/{unit}?year={YEAR}")
    page.click("details.posted summary")
    # An empty form is not sent: the browser asks for the photo
    assert page.locator("details.posted input[type=file][required]").count() == 1
    page.set_input_files("details.posted input[type=file]", str(jpeg(tmp_path / "wall.jpg", 7, (1200, 900))))
    page.fill("details.posted textarea[name=note]", "所里补拍")
    shot(page, f"admin-unit-posted-form-{'360' if width == 'phone' else '1280'}")
    assert no_horizontal_overflow(page)
    page.click("details.posted button[type=submit]")
    page.wait_for_selector("text=已确认标识张贴")
    assert "已完成本年度全部环节" in page.inner_text("body")
    with app.app_context():
        sign = db.session.scalar(sa.select(Sign).where(Sign.unit_id == unit))
        assert sign.posted_by == world.ids["admin_a"]
        assert db.session.get(Photo, sign.posted_photo_sha256).uploaded_by == world.ids["admin_a"]
