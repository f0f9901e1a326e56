"""Checking uploaded bytes are a real, bounded image, and making clean thumbnails. Knows no domain."""
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

# Pixel limits by how much of the image must be decoded at once (bench/photo_upload.py --worst measures the
# peak of a worker on the worst image under each; issue 16 asks at most 250 MB):
MAX_PIXELS = 50_000_000               # a baseline JPEG: decoded at 1/8 scale (DCT scaling), a few MB
MAX_PIXELS_PROGRESSIVE = 16_000_000   # a progressive JPEG: libjpeg holds every coefficient, ~6 bytes a pixel
MAX_PIXELS_FULL_DECODE = 6_000_000    # PNG and WebP: decoded whole, up to ~19 bytes a pixel with the copies
THUMB_SIZE = 480
THUMB_QUALITY = 80
# The format Pillow detects decides; the client's Content-Type never does.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

# Pillow warns above this and refuses at twice it; the warning is made an error below, so nothing
# larger than MAX_PIXELS is ever decoded anywhere in the process.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class BadImage(ValueError):
    """The bytes are not an image we accept; `message` is the Chinese reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    mime: str
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    """Open with only our formats allowed; bombs and unknown content become BadImage."""
    try:
        img = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage(f"图片像素过多（上限{MAX_PIXELS // 1_000_000}百万像素）") from None
    except (Image.UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise BadImage("文件不是可识别的 JPEG、PNG 或 WebP 图片") from None
    limit = pixel_limit(img)
    if img.width * img.height > limit:
        raise BadImage(f"图片像素过多（{img.format}图片上限{limit // 1_000_000}百万像素，请缩小后再上传）")
    return img


def pixel_limit(img: Image.Image) -> int:
    """The most pixels accepted for an opened image, by how its format must be decoded (see the limits)."""
    if img.format != "JPEG":
        return MAX_PIXELS_FULL_DECODE
    return MAX_PIXELS_PROGRESSIVE if img.info.get("progressive") or img.info.get("progression") else MAX_PIXELS


def _guarded(fn, data: bytes):
    """Run fn with Pillow's bomb warning as an error and every decoding failure as BadImage."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return fn(data)
        except BadImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise BadImage(f"图片像素过多（上限{MAX_PIXELS // 1_000_000}百万像素）") from None
        except (OSError, ValueError, SyntaxError, EOFError, Image.UnidentifiedImageError):
            raise BadImage("图片已损坏或不完整") from None


def _inspect(data: bytes) -> ImageInfo:
    with _open(data) as img:
        info = ImageInfo(FORMATS[img.format], img.width, img.height)
        img.verify()  # checksums and structure (PNG chunks); a JPEG is checked by decoding below
    with _open(data) as img:
        # JPEG decodes at 1/8 scale (DCT scaling): the whole compressed stream is still read, so a
        # truncated or corrupt file fails here, at a fraction of a full decode's cost.
        img.draft("RGB", (max(1, img.width // 8), max(1, img.height // 8)))
        img.load()
    return info


def inspect(data: bytes) -> ImageInfo:
    """The detected type and size of an image that decodes to its end; BadImage if it is not one we accept."""
    return _guarded(_inspect, data)


def _thumbnail(data: bytes) -> bytes:
    with _open(data) as img:
        img.draft("RGB", (THUMB_SIZE, THUMB_SIZE))  # JPEG: decode at reduced scale, far faster
        img.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)  # before turning: no full-size copy
        img = ImageOps.exif_transpose(img)
        img = _flatten(img)
        # A fresh image carries no info dict: no EXIF, GPS, XMP or ICC can leak into the thumbnail.
        clean = Image.new("RGB", img.size)
        clean.paste(img)
        out = io.BytesIO()
        clean.save(out, "JPEG", quality=THUMB_QUALITY, optimize=True, progressive=True)
        return out.getvalue()


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on white, so transparent PNG/WebP areas do not turn black in a JPEG."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGB", rgba.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    return img.convert("RGB")


def _dark_pixels(data: bytes) -> int:
    with _open(data) as img:
        grey = _flatten(img).convert("L")
        return sum(grey.histogram()[:128])


def dark_pixels(data: bytes) -> int:
    """How many pixels are dark (grey level < 128 on white, transparency as white): the ink of a drawing.
    BadImage if the bytes are not an image we accept."""
    return _guarded(_dark_pixels, data)


def thumbnail(data: bytes) -> bytes:
    """A JPEG at most THUMB_SIZE on its long side, upright, with every piece of metadata stripped."""
    return _guarded(_thumbnail, data)
