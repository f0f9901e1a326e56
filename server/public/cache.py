"""Rendered public sign pages kept in this process, so a scan costs one tiny query instead of a render.

Real scans spread over a county's signs, few often and most now and then (Zipf-like), so the number of pages
kept decides how often a scan is a render: an entry keeps only the gzipped page (about 0.9 KB; 1.8 KB with its
key and bookkeeping), and the default 20 000 pages cost a worker about 36 MB (bench/signs.py prints the figures).

An entry holds the page gzipped, an ETag and a fingerprint of the facts it shows, and is fresh only while
three things hold:
  - the change log's counter still has the value read *before* the page was rendered. Every commit
    that changes a synced record (units, their years and stages, signs, inspections) moves it, so a
    revoked sign or a removed unit shows on the very next scan, in every process. Reading the counter
    first means a commit racing the render can only make an entry look older, never fresher;
  - it was made on the same China date: a sign expires at the end of its valid_until day;
  - it is younger than the TTL: evaluations are not in the change log, so they show within the TTL.

A page that is no longer fresh is not thrown away: the scan reads the facts again (one query, as for a page
never kept) and when they are the facts the page was made from (same fingerprint, same China date) the same
bytes are kept at the new stamp, without a render. Inspectors sync all day and every synced commit moves the
counter, so without this every kept page in every process would be rendered again after each sync.

Ages are whole nanoseconds (time.monotonic_ns). In float seconds a sum loses its last bits when it crosses
a power of two: on a machine up for 475.3 s, (475.3 + 60) − (475.3 + 30) is 29.999999999999943, so a page
outlived its TTL by a rounding and the TTL's test failed now and then on freshly booted machines.
"""
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import sqlalchemy as sa

from server.core.changelog import SyncCounter
from server.core.pool import hand_run_one
from server.extensions import db
from server.signage import state

_STAMP = sa.select(SyncCounter.value).where(SyncCounter.id == 1)
monotonic_ns = time.monotonic_ns  # a module attribute, so tests can move the clock


def change_stamp(engine=None) -> int | None:
    """The change log's counter now (None on a database without its row), on `engine` (default: the current
    app's).

    Straight on a pooled DBAPI connection (server.core.pool.hand_run_one): a scan asks this every time, and
    an ORM session or an engine connection costs several times the statement itself (SQLite: ~90 µs and
    ~50 µs against ~9 µs). The pool rolls back on return.
    """
    row = hand_run_one(engine or db.engine, _STAMP, {})
    return row[0] if row else None


def page_key(token: str, big: bool, script_root: str = "") -> str:
    """A kept page's key: the token, the text size it was rendered in, and the path the app is mounted at
    (the page's links start with it; a client may set it through a proxy that forwards SCRIPT_NAME)."""
    return (f"{script_root} " if script_root else "") + token + ("|big" if big else "")


@dataclass(frozen=True)
class CachedPage:
    """One rendered page: its bytes gzipped (about 1 KB; the plain page is unpacked for the rare browser
    that does not take gzip), its ETag, and when and at what stamp it was made."""

    gzipped: bytes
    etag: str
    stamp: int | None
    born: int  # monotonic_ns() when made
    day: object = None  # the China date it was made on (signs expire by date)
    facts: bytes = b""  # fingerprint() of the facts it was rendered from

    @property
    def html(self) -> bytes:
        """The page's plain bytes."""
        return gzip.decompress(self.gzipped)

    def shows(self, facts: bytes, day) -> bool:
        """True when this page was rendered on `day` from these facts: it is what a render would give then."""
        return bool(self.facts) and self.facts == facts and self.day == day

    def renewed(self, stamp: int | None) -> "CachedPage":
        """The same page, fresh at stamp (read before the facts were found unchanged) from now."""
        return replace(self, stamp=stamp, born=monotonic_ns())


def fingerprint(facts: tuple) -> bytes:
    """A digest of everything a page is rendered from (a row of the sign's facts: str, int, date, Decimal…,
    whose repr is exact); 16 bytes of BLAKE2b, so two different sets of facts never meet."""
    return hashlib.blake2b(repr(tuple(facts)).encode(), digest_size=16).digest()


def cached_page(html: bytes, stamp, facts: bytes = b"", day=None) -> CachedPage:
    """A cache entry for html rendered from facts (their fingerprint) judged on `day` (default today), after
    reading stamp. The day must be the one the page's verdict was judged on: read once, before the facts, so
    that a render across China midnight is not filed under the new day with the old day's verdict."""
    return CachedPage(gzipped=gzip.compress(html, 9, mtime=0),
                      etag=hashlib.blake2b(html, digest_size=12).hexdigest(), stamp=stamp, born=monotonic_ns(),
                      day=day or state.today(), facts=facts)


class PageCache:
    """Pages by key, the least recently used dropped past `size`. Safe across threads."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._lock = threading.Lock()
        self.local = 0  # moved by changed(): part of the stamp a page is kept at

    def changed(self) -> None:
        """Something shown on pages was committed by this process and is not in the change log (a consumer's
        evaluation): every kept page here is checked against its facts on its next scan (a query, and a render
        only for the sign whose facts changed). Call it after the commit; a scan that read the old stamp
        before it then keeps its page at that old stamp, which is stale at once."""
        with self._lock:
            self.local += 1

    def get(self, key: str, stamp: int | None, ttl: float) -> CachedPage | None:
        """The page for key if made at this stamp less than ttl seconds ago; else None (a page that is not
        fresh stays, for last())."""
        ttl_ns = round(ttl * 1e9)
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.stamp != stamp or page.day != state.today() or monotonic_ns() - page.born >= ttl_ns:
                return None
            self._pages.move_to_end(key)
            return page

    def changed_when_committed(self, session) -> None:
        """changed() once `session`'s transaction commits; nothing if it rolls back."""
        sa.event.listen(session, "after_commit", lambda _session: self.changed(), once=True)

    def last(self, key: str) -> CachedPage | None:
        """The page kept for key, fresh or not."""
        with self._lock:
            return self._pages.get(key)

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
