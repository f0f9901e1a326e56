"""A station admin starts the year's batch of signs on the signs page, watches the bar move while a real
worker process makes the PDF, and downloads it."""
import pypdf
import sqlalchemy as sa

from server.account.models import User
from server.extensions import db
from server.signage import service
from server.signage.models import Sign
from server.unit.models import Unit, UnitYear
from tests.conftest import PASSWORD, YEAR, valid_uscc
from tests.e2e.conftest import page_login, shot
from tests.job.conftest import sqlite_queue, worker  # noqa: F401  (fixture)

SIGNS = 375  # 五云所's units in the demo data: a whole station's year


def _issue_many(app, world, n: int) -> None:
    with app.app_context():
        for i in range(n - 1):  # the world's own unit makes n
            u = Unit(county_id=world.ids["county"], station_id=world.ids["a"], name=f"五云放心商户{i:03d}号",
                     uscc=valid_uscc(1000 + i), address=f"五云街道{i}号", type="general")
            db.session.add(u)
            db.session.flush()
            db.session.add(UnitYear(unit_id=u.id, year=YEAR, stage="evaluated"))
        for uy in db.session.scalars(sa.select(UnitYear).where(UnitYear.unit_id == world.ids["unit_a"])):
            uy.stage = "evaluated"
        admin = db.session.get(User, world.ids["admin_a"])
        ids = [u.id for u in service.issuable_units(admin, world.ids["a"], YEAR)]
        issued, refused = service.issue_signs(admin, ids, YEAR)
        db.session.commit()
        assert len(issued) == n and not refused


def test_a_station_admin_watches_the_batch_job_and_downloads_the_pdf(desktop, live_server, app, world, worker, tmp_path):
    _issue_many(app, world, SIGNS)
    with sqlite_queue(app, "e2e"):
        worker()
        page_login(desktop, live_server, "a_admin", PASSWORD)
        desktop.goto(live_server + "/signs")
        assert f"{SIGNS} 张" in desktop.inner_text("body")
        desktop.click("text=批量打印（PDF，A5）")
        desktop.wait_for_url("**/jobs/*")
        # The page refreshes itself (no script) until the job is done; each load shows the bar.
        seen = []
        while True:
            bar = desktop.locator("#job-progress")
            if bar.count():
                seen.append((int(bar.get_attribute("value")), int(bar.get_attribute("max"))))
            if desktop.locator("#job-download").count() or desktop.locator("#job-error").count():
                break
            desktop.wait_for_event("load", timeout=60_000)
        shot(desktop, "job-sign-batch-done")
        assert not desktop.locator("#job-error").count(), desktop.inner_text("#job-error")
        values = [v for v, _ in seen]
        assert all(m == SIGNS for _, m in seen) and values == sorted(values) and values[-1] == SIGNS
        assert any(0 < v < SIGNS for v in values), f"the bar never showed a part done: {values}"
        assert f"{SIGNS} / {SIGNS}" in desktop.inner_text("body")
        with desktop.expect_download() as download:
            desktop.click("#job-download")
        assert download.value.suggested_filename == "五云所-2023年度标识-全部.pdf"
        path = tmp_path / "batch.pdf"
        download.value.save_as(path)
    assert len(pypdf.PdfReader(str(path)).pages) == SIGNS
    with app.app_context():
        assert set(db.session.scalars(sa.select(Sign.print_count))) == {1}
