"""Draws the app's icons (run once: .venv/bin/python static/pwa/icons/make_icons.py); the PNGs are committed."""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
BLUE, WHITE = (11, 79, 156), (255, 255, 255)
FONTS = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"]


def font(size):
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def icon(size: int, safe: float) -> Image.Image:
    """A blue square with a white check mark and 放心; `safe` is the share of the side kept clear of the edge."""
    img = Image.new("RGB", (size, size), BLUE)
    d = ImageDraw.Draw(img)
    inner = size * (1 - 2 * safe)
    o = size * safe
    w = max(2, int(inner * 0.09))
    d.line([(o + inner * 0.2, o + inner * 0.36), (o + inner * 0.42, o + inner * 0.56), (o + inner * 0.82, o + inner * 0.14)],
           fill=WHITE, width=w, joint="curve")
    f = font(int(inner * 0.3))
    text = "放心"
    box = d.textbbox((0, 0), text, font=f)
    d.text((o + (inner - (box[2] - box[0])) / 2 - box[0], o + inner * 0.62 - box[1]), text, font=f, fill=WHITE)
    return img


if __name__ == "__main__":
    icon(192, 0.06).save(HERE / "icon-192.png", optimize=True)
    icon(512, 0.06).save(HERE / "icon-512.png", optimize=True)
    icon(512, 0.16).save(HERE / "maskable-512.png", optimize=True)  # maskable: content inside the 80% safe zone
