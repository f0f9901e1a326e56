"""Rendering: every sign's code decodes with a real decoder, Chinese is covered, PDFs stream one page a sign."""
import io

import pytest
import zxingcpp
from PIL import Image, ImageFilter

from server.qrsign import font, payload, render
from server.qrsign.pdf import StreamingPdf

BASE = "https://fx.jyamr.gov.cn"
NAME_40 = "缙云县五云街道某某某某电器商行有限责任公司第二分店经营部门市部某某某某某某某某某"
SPECS = [
    render.SignSpec("放心消费单位", "五云放心超市", 2023, "JY-2023-000001", "缙云县市场监督管理局",
                    payload.build_url(BASE, payload.new_token())),
    render.SignSpec("无理由退货承诺单位", NAME_40, 2023, "JY-2023-000002", "缙云县市场监督管理局",
                    payload.build_url(BASE, payload.new_token()), note="承诺线下购物7天无理由退货"),
    render.SignSpec("放心工厂", "浙江缙云某某机械制造有限公司", 2023, "JY-2023-000003", "缙云县市场监督管理局",
                    payload.build_url(BASE, payload.new_token())),
]


@pytest.fixture(scope="module")
def fonts():
    return font.find_font(None, "bold"), font.find_font(None, "regular")


@pytest.fixture(scope="module")
def images(fonts):
    return [render.draw_sign(spec, *fonts) for spec in SPECS]


def decoded(img: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img)]


def qr_crop(img: Image.Image) -> Image.Image:
    """The code with its quiet zone, cut out of the sign."""
    left = (render.SIZE[0] - render.QR_BOX) // 2
    return img.crop((left, 1050, left + render.QR_BOX, 1050 + render.QR_BOX))


def test_len_40():
    assert len(NAME_40) == 40


@pytest.mark.parametrize("i", range(len(SPECS)))
def test_code_decodes_full_size(images, i):
    assert decoded(images[i]) == [SPECS[i].url]


@pytest.mark.parametrize("i", range(len(SPECS)))
def test_code_decodes_at_2cm(images, i):
    """Printed 2 cm wide at 300 DPI: 236 pixels across, quiet zone included."""
    small = qr_crop(images[i]).resize((236, 236), Image.Resampling.LANCZOS)
    assert decoded(small) == [SPECS[i].url]


@pytest.mark.parametrize("i", range(len(SPECS)))
def test_code_decodes_rotated_and_blurred(images, i):
    turned = images[i].rotate(15, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)
    assert decoded(turned.filter(ImageFilter.GaussianBlur(1))) == [SPECS[i].url]
    small = qr_crop(images[i]).resize((236, 236), Image.Resampling.LANCZOS)
    small = small.rotate(15, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)
    assert decoded(small.filter(ImageFilter.GaussianBlur(1))) == [SPECS[i].url]


def test_quiet_zone_is_at_least_four_modules():
    matrix = render.qr_matrix(SPECS[0].url)
    assert not any(matrix[0]) and not any(row[0] for row in matrix)
    assert not any(any(row[:4]) or any(row[-4:]) for row in matrix) and not any(any(r) for r in matrix[:4])


def test_png_is_300_dpi_a5(images):
    png = Image.open(io.BytesIO(render.to_png(images[0])))
    assert png.size == (1748, 2480)
    assert tuple(round(d) for d in png.info["dpi"]) == (300, 300)


def test_long_name_wraps_within_margins(fonts):
    f, lines = render.fit(NAME_40, fonts[0], render.SIZE[0] - 2 * render.SIDE, 330, 124, 60, 3)
    assert "".join(lines) == NAME_40 and 1 < len(lines) <= 3
    assert all(f.getlength(line) <= render.SIZE[0] - 2 * render.SIDE for line in lines)


def test_long_name_leaves_margins_blank(images):
    """Nothing is drawn between the gold line and the text block, on the 40-character sign."""
    img = images[1]
    band = img.crop((100, 600, render.SIDE - 20, 930))  # left margin across the name's box
    assert band.getcolors() == [(band.width * band.height, render.PAPER)]


def test_missing_glyph_is_an_error_not_a_box(fonts):
    spec = render.SignSpec("放心消费单位", "Shop \U0001F600 𠀀", 2023, "JY-2023-000001", "某局", SPECS[0].url)
    with pytest.raises(font.FontError) as err:
        render.draw_sign(spec, *fonts)
    assert "缺少这些字" in err.value.message


def test_no_font_gives_install_hint(monkeypatch):
    monkeypatch.setattr(font, "_fc_match", lambda pattern: None)
    monkeypatch.setattr(font, "DEBIAN_PATHS", [])
    with pytest.raises(font.FontError) as err:
        font.find_font(None)
    assert "fonts-noto-cjk" in err.value.message


def test_sign_font_setting_must_exist():
    with pytest.raises(font.FontError):
        font.find_font("/nowhere/font.ttc|2")


def test_payload_round_trip():
    t = payload.new_token()
    assert len(t) == 16 and payload.is_token(t)
    url = payload.build_url(BASE + "/", t)
    assert url == f"{BASE}/s/{t}"
    assert payload.parse_url(url, BASE) == (1, t)
    assert payload.parse_url(f"{BASE}/s/{t}x", BASE) is None
    assert payload.parse_url("https://evil.example/s/" + t, BASE) is None
    assert payload.short_text(url) == f"fx.jyamr.gov.cn/s/{t}"


def test_streaming_pdf_pages(images):
    pypdf = pytest.importorskip("pypdf")
    out = io.BytesIO()
    pdf = StreamingPdf(out)
    for img in images:
        pdf.add_rgb(img.tobytes(), *img.size)
    pdf.add_jpeg(render.to_jpeg(images[0]), *images[0].size)
    pdf.close()
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 4
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [420, 595]
    page_img = reader.pages[0].images[0].image
    assert page_img.size == (1748, 2480)
