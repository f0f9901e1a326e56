"""Rendered public sign pages kept in this process, so a scan costs one tiny query instead of a render.

Real scans spread over a county's signs, few often and most now and then (Zipf-like), so the number of pages
kept decides how often a scan is a render: an entry keeps only the gzipped page (about 0.9 KB; 1.8 KB with its
key and bookkeeping), and the default 20 000 pages cost a worker about 36 MB (bench/signs.py prints the figures).

An entry holds the page gzipped and an ETag, and is good only while two things hold:
  - the change log's counter still has the value read *before* the page was rendered. Every commit
    that changes a synced record (units, their years and stages, signs, inspections) moves it, so a
    revoked sign or a removed unit shows on the very next scan, in every process. Reading the counter
    first means a commit racing the render can only make an entry look older, never fresher;
  - it was made on the same China date: a sign expires at the end of its valid_until day;
  - it is younger than the TTL: evaluations are not in the change log, so they show within the TTL.

Ages are whole nanoseconds (time.monotonic_ns). In float seconds a sum loses its last bits when it crosses
a power of two: on a machine up for 475.3 s, (475.3 + 60) − (475.3 + 30) is 29.999999999999943, so a page
outlived its TTL by a rounding and the TTL's test failed now and then on freshly booted machines.
"""
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from server.core.pool import raw_connection
from server.extensions import db
from server.signage import state

STAMP_SQL = "SELECT value FROM sync_counter WHERE id = 1"
monotonic_ns = time.monotonic_ns  # a module attribute, so tests can move the clock


def change_stamp() -> int | None:
    """The change log's counter now (None on a database without its row).

    Straight on a pooled DBAPI connection: a scan asks this every time, and an ORM session or an
    engine connection costs several times the statement itself (SQLite: ~90 µs and ~50 µs against ~9 µs).
    One plain statement with no parameters reads the same on SQLite and PostgreSQL; the pool rolls back
    on return.
    """
    with raw_connection(db.engine) as raw:
        cursor = raw.cursor()
        cursor.execute(STAMP_SQL)
        row = cursor.fetchone()
        cursor.close()
    return row[0] if row else None


@dataclass(frozen=True)
class CachedPage:
    """One rendered page: its bytes gzipped (about 1 KB; the plain page is unpacked for the rare browser
    that does not take gzip), its ETag, and when and at what stamp it was made."""

    gzipped: bytes
    etag: str
    stamp: int | None
    born: int  # monotonic_ns() when made
    day: object = None  # the China date it was made on (signs expire by date)

    @property
    def html(self) -> bytes:
        """The page's plain bytes."""
        return gzip.decompress(self.gzipped)


def cached_page(html: bytes, stamp: int | None) -> CachedPage:
    """A cache entry for html rendered after reading stamp."""
    return CachedPage(gzipped=gzip.compress(html, 9, mtime=0),
                      etag=hashlib.blake2b(html, digest_size=12).hexdigest(), stamp=stamp, born=monotonic_ns(),
                      day=state.today())


class PageCache:
    """Pages by key, the least recently used dropped past `size`. Safe across threads."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, stamp: int | None, ttl: float) -> CachedPage | None:
        """The page for key if made at this stamp less than ttl seconds ago; else None (and forgotten)."""
        ttl_ns = round(ttl * 1e9)
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.stamp != stamp or page.day != state.today() or monotonic_ns() - page.born >= ttl_ns:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: CachedPage) -> CachedPage:
        """Keep page under key; returns it."""
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return page

    def drop(self, key: str) -> None:
        """Forget key's page (this process only; others wait out the TTL)."""
        with self._lock:
            self._pages.pop(key, None)

    def __len__(self) -> int:
        return len(self._pages)
