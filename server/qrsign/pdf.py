"""A PDF writer that streams: each page is written as it comes, so memory does not grow with pages.

Format (PDF 1.4, ISO 32000-1 §7): a header; per page three objects — the page's image as an image
XObject, a content stream that
paints it over the whole page, and the /Page; then, at close, the /Pages tree (its object number
is reserved up front so pages can name their parent), the /Catalog, the cross-reference table of
byte offsets and the trailer.

A page image is either a JPEG, stored as it is (/DCTDecode), or raw RGB pixels deflated at a low
level (/FlateDecode): lossless, so text stays crisp, and for a sign of flat colours both smaller
(~250 KB against ~500 KB for a sharp JPEG) and faster to make than a JPEG or PNG. Only the offsets (one int per object) stay in memory. The output
needs only `write`: a file, a socket or a generator's buffer — no seeking.
"""
import zlib

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)


class StreamingPdf:
    """Write pages one at a time to `out`: `add_jpeg(...)` per page, then `close()`."""

    def __init__(self, out, page_size: tuple[float, float] = A5):
        self.out, self.page_size = out, page_size
        self.pos = 0
        self.offsets = {}  # object number -> byte offset
        self.pages = []  # object numbers of the /Page objects
        self.next_id = 3  # 1: /Catalog, 2: /Pages, both written at close
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.pos += len(data)

    def _object(self, num: int, head: bytes, stream: bytes | None = None) -> None:
        self.offsets[num] = self.pos
        self._write(b"%d 0 obj\n" % num + head)
        if stream is not None:
            self._write(b"\nstream\n")
            self._write(stream)
            self._write(b"\nendstream")
        self._write(b"\nendobj\n")

    def _ids(self, n: int) -> list[int]:
        ids = list(range(self.next_id, self.next_id + n))
        self.next_id += n
        return ids

    def add_jpeg(self, jpeg: bytes, width_px: int, height_px: int) -> None:
        """A page showing one RGB JPEG stretched over the whole page."""
        self._page(b"/Filter /DCTDecode", jpeg, width_px, height_px)

    def add_rgb(self, pixels: bytes, width_px: int, height_px: int, level: int = 1) -> None:
        """A page showing raw 8-bit RGB pixels (row by row), deflated: lossless, crisp text."""
        self._page(b"/Filter /FlateDecode", zlib.compress(pixels, level), width_px, height_px)

    def _page(self, filters: bytes, data: bytes, width_px: int, height_px: int) -> None:
        image, content, page = self._ids(3)
        w, h = self.page_size
        self._object(image, b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                            b"/BitsPerComponent 8 %s /Length %d >>" % (width_px, height_px, filters, len(data)), data)
        paint = b"q %.3f 0 0 %.3f 0 0 cm /Im0 Do Q" % (w, h)
        self._object(content, b"<< /Length %d >>" % len(paint), paint)
        self._object(page, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.3f %.3f] "
                           b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (w, h, image, content))
        self.pages.append(page)

    def close(self) -> None:
        """Write the page tree, catalog, cross-reference table and trailer."""
        kids = b" ".join(b"%d 0 R" % p for p in self.pages)
        self._object(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.pages)))
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        xref = self.pos
        size = self.next_id
        rows = [b"0000000000 65535 f \n"]
        rows += [b"%010d 00000 n \n" % self.offsets[i] for i in range(1, size)]
        self._write(b"xref\n0 %d\n" % size + b"".join(rows))
        self._write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))

