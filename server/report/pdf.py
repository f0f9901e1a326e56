"""HTML to PDF with WeasyPrint, with Chinese text or not at all.

Without a CJK font WeasyPrint silently draws every Chinese character as a box; a report like that is
worse than none, so rendering refuses unless a CJK font is installed. Images must be embedded as
data: URIs: the renderer never fetches anything over the network or from the disk.
"""
import glob
import shutil
import subprocess
from functools import lru_cache

FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei")
KNOWN_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK*", "/usr/share/fonts/opentype/noto/NotoSerifCJK*",
                    "/usr/share/fonts/truetype/wqy/*", "/usr/share/fonts/**/*CJK*")
MISSING_FONT_MESSAGE = "服务器缺少中文字体（fonts-noto-cjk），无法生成PDF"


class MissingFont(RuntimeError):
    """No CJK font is installed: a PDF would show boxes instead of Chinese."""

    def __init__(self, message: str = MISSING_FONT_MESSAGE):
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=1)
def cjk_font_available() -> bool:
    """True when fontconfig knows a Chinese font (or one of the known font files exists)."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out.strip():
            return True
    return any(glob.glob(pattern, recursive=True) for pattern in KNOWN_FONT_FILES)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document; MissingFont when Chinese cannot be drawn."""
    if not cjk_font_available():
        raise MissingFont()
    HTML, URLFetcher = weasyprint()
    fetcher = URLFetcher(allowed_protocols={"data"})  # never http or file: the document is self-contained
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def weasyprint():
    """WeasyPrint's HTML and URLFetcher, imported late (it loads pango, which only printing needs).

    Importing it sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process, which would let a truncated
    photo pass the upload check (server.photo.imaging); the flag is put back. The images printed here
    are our own thumbnails and signatures, never truncated, so WeasyPrint does not need it.
    """
    from PIL import ImageFile
    strict = ImageFile.LOAD_TRUNCATED_IMAGES
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher
    ImageFile.LOAD_TRUNCATED_IMAGES = strict
    return HTML, URLFetcher
