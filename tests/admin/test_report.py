"""The printable inspection report: HTML with every item, photos and signature embedded; the same as PDF."""
import io
import re

from pypdf import PdfReader

from server.checklist.service import base_items
from server.demo.loader import checklist_base
from server.report import pdf
from tests.admin.test_inspections import inspection_id, inspection_with_photos
from tests.sync.conftest import checklist, due  # noqa: F401


def _rectify(client, world, checklist):
    return inspection_with_photos(client, world, checklist, conclusion="rectify", fail_items=["pricing.have"],
                                  rectifications=[{"item_code": "pricing.have", "demand": "补齐价签", "due_date": due(7)}])


def test_report_html_has_unit_items_photos_and_signature(client, world, checklist, as_user):
    body, photo_sha = _rectify(client, world, checklist)
    c = as_user("a_admin")
    r = c.get(f"/inspections/{inspection_id(c, world)}/report")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "size: A4" in page and "@media print" in page
    assert "五云放心超市" in page and "放心消费单位现场检查记录" in page and "缙云县市场监督管理局" in page
    assert all(i["text"] in page for i in base_items(checklist_base()))
    assert "限期整改" in page and "补齐价签" in page and "2023年9月8日前" in page and "王老板" in page
    images = re.findall(r'<img src="(data:image/[a-z]+;base64,[^"]+)" alt="([^"]+)"', page)
    assert {alt for _, alt in images} == {"照片", "签名"}
    assert any(src.startswith("data:image/png") for src, alt in images if alt == "签名")  # the original signature
    assert "/photos/" not in page.split("</nav>")[-1]  # nothing fetched: every image is embedded


def test_report_pdf_has_chinese_text(client, world, checklist, as_user):
    _rectify(client, world, checklist)
    c = as_user("a_admin")
    r = c.get(f"/inspections/{inspection_id(c, world)}/report.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(r.data))
    text = "".join(p.extract_text() for p in reader.pages)
    # Extractable CJK text proves a Chinese font was embedded rather than boxes drawn.
    assert "五云放心超市" in text and "现场检查记录" in text and "补齐价签" in text
    assert base_items(checklist_base())[0]["text"][:6] in text.replace("\n", "")
    assert sum(len(p.images) for p in reader.pages) >= 2  # the photo and the signature


def test_pdf_refused_clearly_without_a_chinese_font(client, world, checklist, as_user, monkeypatch):
    _rectify(client, world, checklist)
    c = as_user("a_admin")
    monkeypatch.setattr(pdf, "cjk_font_available", lambda: False)
    r = c.get(f"/inspections/{inspection_id(c, world)}/report.pdf")
    assert r.status_code == 503 and "服务器缺少中文字体（fonts-noto-cjk），无法生成PDF" in r.get_data(as_text=True)


def test_renderer_never_fetches(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    out = pdf.html_to_pdf(f'<p style="font-family: Noto Sans CJK SC">中文</p><img src="file://{secret}">'
                          '<img src="http://127.0.0.1:9/x.png">')
    assert out[:5] == b"%PDF-" and len(PdfReader(io.BytesIO(out)).pages[0].images) == 0
