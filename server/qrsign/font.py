"""Finding a font that writes Chinese, and refusing to draw any character it lacks (never boxes)."""
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

DEBIAN_PATHS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
]
INSTALL_HINT = "找不到中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）或设置 SIGN_FONT"


class FontError(RuntimeError):
    """No usable font, or text the font cannot write; `message` is the Chinese reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FontRef:
    path: str
    index: int = 0


def _fc_match(pattern: str) -> FontRef | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}", pattern], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = out.partition("|")
    if not path or not os.path.exists(path):
        return None
    ref = FontRef(path, int(index or 0))
    return ref if 0x4E2D in covered(ref) else None  # fc-match falls back to any font: want 中


def parse_setting(value: str) -> FontRef:
    """SIGN_FONT as "path" or "path|index" (the face inside a .ttc collection)."""
    path, _, index = value.partition("|")
    if not os.path.exists(path):
        raise FontError(f"SIGN_FONT 指定的字体文件不存在：{path}")
    return FontRef(path, int(index or 0))


def find_font(setting: str | None = None, weight: str = "bold") -> FontRef:
    """The configured font, else fontconfig's CJK font, else a known Debian path; FontError if none."""
    if setting:
        return parse_setting(setting)
    for pattern in (f"Noto Sans CJK SC:{weight}", f":lang=zh:{weight}", ":lang=zh"):
        ref = _fc_match(pattern)
        if ref:
            return ref
    for path, index in DEBIAN_PATHS:
        if os.path.exists(path):
            return FontRef(path, index)
    raise FontError(INSTALL_HINT)


@lru_cache(maxsize=8)
def covered(ref: FontRef) -> frozenset:
    """The code points the font face has glyphs for (read from its cmap with fontTools)."""
    from fontTools.ttLib import TTCollection, TTFont
    try:
        if ref.path.lower().endswith((".ttc", ".otc")):
            font = TTCollection(ref.path, lazy=True).fonts[ref.index]
        else:
            font = TTFont(ref.path, lazy=True, fontNumber=ref.index)
        return frozenset(font.getBestCmap() or {})
    except Exception:  # noqa: BLE001 — any unreadable font file is the same problem to the user
        raise FontError(f"无法读取字体文件：{ref.path}") from None


def missing_chars(ref: FontRef, *texts: str) -> list[str]:
    """The characters of the texts that the font cannot draw (spaces and line breaks excepted)."""
    cmap = covered(ref)
    seen = []
    for ch in "".join(texts):
        if ch not in " \n\t" and ord(ch) not in cmap and ch not in seen:
            seen.append(ch)
    return seen


def check_coverage(ref: FontRef, *texts: str) -> None:
    """FontError naming the characters the font lacks, before anything is drawn."""
    missing = missing_chars(ref, *texts)
    if missing:
        raise FontError(f"字体 {os.path.basename(ref.path)} 缺少这些字：{''.join(missing[:20])}"
                        "，请改用含这些字的字体（设置 SIGN_FONT）或修改文字")


@lru_cache(maxsize=64)
def truetype(ref: FontRef, size: int) -> ImageFont.FreeTypeFont:
    """The face at a pixel size (cached: opening a CJK collection is not free)."""
    return ImageFont.truetype(ref.path, size, index=ref.index)
