"""Printing through the app: demo coverage, the CLI, and the admin pages (issue in bulk, print, batch PDF)."""
import io
import random

import pypdf
import sqlalchemy as sa

from server.demo import names
from server.extensions import db
from server.qrsign import font
from server.signage.models import Sign
from server.unit.models import Unit, UnitYear
from tests.conftest import YEAR, login
from tests.signage.conftest import issue


def test_every_generated_demo_name_is_covered():
    bold, regular = font.find_font(None, "bold"), font.find_font(None, "regular")
    rng = random.Random(1)
    texts = [names.unit_profile(rng, st, kind, n)["name"] for st in names.PLACES
             for kind in ("general", "no_reason_return", "factory") for n in range(40)]
    texts += names.BRANDS + [s for s, _ in names.GENERAL + names.RETURNABLE + names.FACTORIES]
    assert font.missing_chars(bold, *texts) == []
    assert font.missing_chars(regular, *texts) == []


def test_demo_load_issues_signs_and_every_name_is_covered(app, runner, tmp_path):
    """The demo data: a sign for every unit at 标识发放/标识张贴 (posted ones marked), all names drawable."""
    from server.demo import loader
    with app.app_context():
        loader.load()
        db.session.commit()
        unit_names = db.session.scalars(sa.select(Unit.name)).all()
        staged = {(u, y): st for u, y, st in db.session.execute(sa.select(
            UnitYear.unit_id, UnitYear.year, UnitYear.stage).where(UnitYear.stage.in_(["sign_issued", "sign_posted"])))}
        signs = db.session.scalars(sa.select(Sign)).all()
        first = signs[0].serial
        # Each sign's print count matches its record: printed once (打印), so the app's next is 补打.
        prints = [(s.print_count, [e.action for e in s.events if e.action in ("print", "reprint")]) for s in signs]
    bold = font.find_font(None, "bold")
    assert font.missing_chars(bold, *unit_names) == []
    assert {(s.unit_id, s.year) for s in signs} == set(staged)
    assert all((s.posted_at is not None) == (staged[s.unit_id, s.year] == "sign_posted") for s in signs)
    assert signs and all(p == (1, ["print"]) for p in prints)
    # The command line renders one of them.
    r = runner.invoke(args=["signs", "render", first, "--out", str(tmp_path / "sign.png")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "sign.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _print_events(app) -> list[tuple[int, list[str]]]:
    with app.app_context():
        return [(s.print_count, [e.action for e in s.events]) for s in db.session.scalars(sa.select(Sign))]


def test_cli_print_batch_pdf_one_page_per_sign_and_counts_the_prints(app, runner, world, evaluated, tmp_path):
    issue(app, world, "unit_a")
    out = tmp_path / "batch.pdf"
    args = ["signs", "print", "--station", "wuyun", "--year", str(YEAR), "--out", str(out)]
    r = runner.invoke(args=args)
    assert r.exit_code == 0, r.output
    assert len(pypdf.PdfReader(str(out)).pages) == 1
    assert _print_events(app) == [(1, ["issue", "print"])]
    r = runner.invoke(args=args + ["--as", "a_admin"])
    assert r.exit_code == 0, r.output
    assert _print_events(app) == [(2, ["issue", "print", "reprint"])]
    # Refused before a page is written, and nothing counted: another station's admin, an inspector,
    # an unknown account, an unknown station.
    out.unlink()
    for bad_args in (args + ["--as", "b_admin"], args + ["--as", "a_insp"], args + ["--as", "nobody"],
                     ["signs", "print", "--station", "nowhere", "--year", str(YEAR), "--out", str(out)]):
        bad = runner.invoke(args=bad_args)
        assert bad.exit_code != 0 and "找不到" in bad.output, bad.output
    assert not out.exists()
    assert _print_events(app) == [(2, ["issue", "print", "reprint"])]
    missing = runner.invoke(args=["signs", "render", "XX-0000-000000", "--out", str(tmp_path / "x.png")])
    assert missing.exit_code != 0


def test_admin_issue_all_then_batch_pdf_and_reprint(app, client, world, evaluated):
    login(client, "a_admin")
    page = client.get("/signs").get_data(as_text=True)
    assert "五云放心超市" in page and "待发放" in page
    r = client.post("/signs/issue", data={"station_id": world.ids["a"], "year": YEAR, "all": "1"})
    assert r.status_code == 303
    with app.app_context():
        sign = db.session.scalar(sa.select(Sign))
        sid = sign.id
    assert sign.station_id == world.ids["a"]
    # The batch is a job: the page redirects to it, and (run in process here) its file is ready.
    r = client.post("/signs/batch", data={"station_id": world.ids["a"], "year": YEAR})
    assert r.status_code == 303 and "/jobs/" in r.headers["Location"]
    job_page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已完成" in job_page and "1 / 1" in job_page and 'http-equiv="refresh"' not in job_page
    pdf = client.get(r.headers["Location"] + "/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert len(pypdf.PdfReader(io.BytesIO(pdf.get_data())).pages) == 1
    png = client.post(f"/signs/{sid}/print")
    assert png.status_code == 200 and png.mimetype == "image/png"
    with app.app_context():
        s = db.session.get(Sign, sid)
        assert s.print_count == 2 and [e.action for e in s.events] == ["issue", "print", "reprint"]
    detail = client.get(f"/signs/{sid}").get_data(as_text=True)
    assert "补打" in detail
    r = client.post(f"/signs/{sid}/revoke", data={"reason": "", "note": ""})
    assert r.status_code == 422 and "撤销原因" in r.get_data(as_text=True)
    r = client.post(f"/signs/{sid}/revoke", data={"reason": "lost_damaged", "note": "丢了"})
    assert r.status_code == 303


def test_admin_station_scope(client, world, evaluated):
    login(client, "b_admin")
    r = client.get(f"/signs?station_id={world.ids['a']}")
    assert r.status_code == 404
    login(client, "admin")
    assert "壶镇诚信五金店" in client.get(f"/signs?station_id={world.ids['b']}").get_data(as_text=True)
