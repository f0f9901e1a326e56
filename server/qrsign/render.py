"""One sign drawn as an image: A5 portrait at 300 DPI, title, name, QR code and the words around it.

Knows no domain: the caller hands a SignSpec of plain strings. Every text is checked against the
font's cmap before drawing, so a missing glyph is an error, never a box on a printed sign.
"""
import io
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw

from server.qrsign.font import FontRef, check_coverage, truetype
from server.qrsign.payload import short_text

DPI = 300
SIZE = (1748, 2480)  # A5, 148 × 210 mm at 300 DPI
RED, GOLD, INK, PAPER, GREY = (176, 30, 36), (201, 160, 72), (33, 37, 41), (255, 253, 247), (90, 90, 90)
QUIET = 4  # modules of white around the code, as the QR standard asks
QR_BOX = 880  # the code's size with its quiet zone, in pixels (7.4 cm)
SIDE = 190  # left/right margin of the text block


@dataclass(frozen=True)
class SignSpec:
    """What a sign says. `note` is an optional promise line (e.g. a return period)."""

    title: str
    name: str
    year: int
    serial: str
    authority: str
    url: str
    note: str = ""
    hotline: str = "12315"

    def texts(self) -> list[str]:
        """Every string that will be drawn."""
        return [self.title, self.name, f"{self.year}年度", self.serial, self.authority, self.note, *self.small_lines()]

    def small_lines(self) -> list[str]:
        return ["微信扫一扫 · 验真伪 · 评价 · 投诉", short_text(self.url),
                f"编号 {self.serial}　投诉举报电话 {self.hotline}", "监制"]


def qr_matrix(url: str) -> list[list[bool]]:
    """The code's modules, quiet zone included (error correction Q: survives a scuffed print)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=QUIET, box_size=1)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_image(url: str, size: int) -> Image.Image:
    """The code scaled by a whole number of pixels per module (crisp edges), on white."""
    matrix = qr_matrix(url)
    n = len(matrix)
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    module = max(1, size // n)
    return small.resize((n * module, n * module), Image.Resampling.NEAREST).convert("RGB")


def wrap(text: str, font, width: int) -> list[str]:
    """Break text into lines no wider than width: anywhere between Chinese characters, at spaces in Latin words.

    Widths are summed per character (one measurement each): linear, and exact enough for CJK text.
    """
    advance = {ch: font.getlength(ch) for ch in set(text)}
    lines, line, used = [], "", 0.0
    for ch in text:
        w = advance[ch]
        if used + w <= width or not line:
            line, used = line + ch, used + w
            continue
        cut = line.rfind(" ") if ch != " " and line.isascii() else -1
        if cut > 0:
            lines.append(line[:cut])
            line = line[cut + 1:] + ch
        else:
            lines.append(line)
            line = ch.lstrip()
        used = sum(advance[c] for c in line)
    if line:
        lines.append(line)
    return lines


def fit(text: str, ref: FontRef, width: int, height: int, start: int, smallest: int, max_lines: int):
    """(font, lines) at the largest size whose wrapped lines fit the box; balanced line lengths."""
    for size in range(start, smallest - 1, -4):
        font = truetype(ref, size)
        lines = wrap(text, font, width)
        if len(lines) <= max_lines and len(lines) * size * 1.25 <= height:
            if len(lines) > 1:  # even out the lines, so no single character hangs on the last one
                even = wrap(text, font, int(sum(font.getlength(c) for c in text) / len(lines)) + size)
                lines = even if len(even) == len(lines) else lines
            return font, lines
    font = truetype(ref, smallest)
    lines = wrap(text, font, width)[:max_lines]
    return font, lines


def _centered(draw, y: int, lines: list[str], font, fill, leading: float = 1.25) -> int:
    size = font.size
    for line in lines:
        w = draw.textlength(line, font=font)
        draw.text(((SIZE[0] - w) / 2, y), line, font=font, fill=fill)
        y += int(size * leading)
    return y


def draw_sign(spec: SignSpec, bold: FontRef, regular: FontRef | None = None) -> Image.Image:
    """The sign as an RGB image of SIZE pixels; FontError before drawing if a character is missing."""
    regular = regular or bold
    check_coverage(bold, spec.title, spec.name, f"{spec.year}年度", spec.authority, spec.note)
    check_coverage(regular, *spec.small_lines())
    img = Image.new("RGB", SIZE, PAPER)
    d = ImageDraw.Draw(img)
    W, H = SIZE
    d.rectangle([40, 40, W - 41, H - 41], outline=RED, width=28)
    d.rectangle([88, 88, W - 89, H - 89], outline=GOLD, width=6)
    # Header band: the title by type and the year.
    d.rectangle([110, 110, W - 111, 560], fill=RED)
    font, lines = fit(spec.title, bold, W - 2 * SIDE, 220, 190, 100, 1)
    _centered(d, 170, lines, font, PAPER)
    year_font = truetype(bold, 76)
    _centered(d, 420, [f"{spec.year}年度"], year_font, GOLD)
    # The unit's name: shrinks and wraps (a 40-character name takes three lines; 120 fit in five),
    # never past the margins or out of its box.
    font, lines = fit(spec.name, bold, W - 2 * SIDE, 330, 124, 40, 5)
    block = len(lines) * int(font.size * 1.25)
    _centered(d, 600 + (330 - block) // 2, lines, font, INK)
    if spec.note:
        font, lines = fit(spec.note, bold, W - 2 * SIDE, 80, 60, 36, 1)
        _centered(d, 950, lines, font, RED)
    code = qr_image(spec.url, QR_BOX)
    img.paste(code, ((W - code.width) // 2, 1050 + (QR_BOX - code.height) // 2))
    small = truetype(regular, 52)
    scan, url, serial_line, _ = spec.small_lines()
    y = _centered(d, 1960, [scan], small, RED)
    y = _centered(d, y + 10, [url], truetype(regular, 46), GREY)
    font, lines = fit(serial_line, regular, W - 2 * SIDE, 70, 50, 30, 1)
    _centered(d, y + 10, lines, font, INK)
    # Footer: the issuing authority.
    d.line([SIDE, 2230, W - SIDE, 2230], fill=GOLD, width=4)
    font, lines = fit(spec.authority + "　监制", bold, W - 2 * SIDE, 90, 64, 36, 1)
    _centered(d, 2265, lines, font, RED)
    return img


def to_png(img: Image.Image) -> bytes:
    """PNG bytes that tell the printer their resolution (300 DPI)."""
    out = io.BytesIO()
    img.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def to_jpeg(img: Image.Image, quality: int = 90) -> bytes:
    """JPEG bytes for a PDF page; no chroma subsampling, so red text keeps sharp edges."""
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, subsampling=0, dpi=(DPI, DPI))
    return out.getvalue()
