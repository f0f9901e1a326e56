"""Bounded image work (issue 16): pixel limits by how much must be decoded at once. The peak memory for the
worst image under each is measured by `bench/photo_upload.py --worst`."""
import io
import struct
import zlib

import pytest
from PIL import Image

from server.photo import imaging


def flat_png16(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(b"\0" + b"\x12\x34" * 4 * width) for _ in range(height)) + z.flush()
    head = struct.pack(">IIBBBBB", width, height, 16, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg(size, **kw) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 60, 30)).save(out, "JPEG", **kw)
    return out.getvalue()


def test_the_issues_7000_square_16_bit_png_is_refused_before_decoding():
    with pytest.raises(imaging.BadImage) as err:
        imaging.inspect(flat_png16(7000, 7000))
    assert "PNG图片上限6百万像素" in err.value.message


def test_png_and_webp_up_to_the_full_decode_limit_are_accepted():
    assert imaging.inspect(flat_png16(3000, 2000)).width == 3000
    assert imaging.thumbnail(flat_png16(3000, 2000))[:2] == b"\xff\xd8"
    with pytest.raises(imaging.BadImage):
        imaging.inspect(flat_png16(3001, 2000))


def test_a_progressive_jpeg_has_a_lower_limit_than_a_baseline_one():
    assert imaging.inspect(jpeg((5000, 4000))).width == 5000  # 20 MP baseline: decoded at 1/8
    with pytest.raises(imaging.BadImage) as err:
        imaging.inspect(jpeg((5000, 4000), progressive=True))
    assert "16百万像素" in err.value.message
    assert imaging.inspect(jpeg((4000, 4000), progressive=True)).height == 4000
