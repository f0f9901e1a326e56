"""Storing and finding photos: verified against their hash, stored once, seen only within scope."""
import hashlib
import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from server.core import immutable
from server.core.clock import utcnow
from server.core.errors import Invalid, NotFound, TooLarge, UnsupportedType
from server.extensions import db
from server.photo import imaging
from server.photo.models import Photo, PhotoUse
from server.photo.storage import Storage, current_storage

MAX_BYTES = 15 * 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")
ACCEPTED_TYPES = {"image/jpeg", "image/png", "image/webp", "application/octet-stream"}
_IN_CHUNK = 500  # stay well under every database's bound-parameter limit


def original_key(sha: str) -> str:
    """The storage key of an original: fanned out so no folder holds millions of files."""
    return f"originals/{sha[:2]}/{sha[2:4]}/{sha}"


def thumb_key(sha: str) -> str:
    """The storage key of a thumbnail."""
    return f"thumbs/{sha[:2]}/{sha[2:4]}/{sha}.jpg"


def check_sha(sha: str) -> str:
    """The hash if it is 64 lowercase hex digits; Invalid otherwise."""
    if not isinstance(sha, str) or not SHA256.match(sha):
        raise Invalid("照片编号应为64位小写十六进制的 SHA-256", fields={"sha256": ["格式不正确"]})
    return sha


def check_upload_headers(content_type: str | None, content_length: int | None) -> None:
    """Refuse before reading: a declared size over the limit or a type that cannot be a photo."""
    if content_length is not None and content_length > MAX_BYTES:
        raise TooLarge(f"照片不能超过{MAX_BYTES // (1024 * 1024)}MB")
    mimetype = (content_type or "").split(";")[0].strip().lower()
    if mimetype not in ACCEPTED_TYPES:
        raise UnsupportedType("只接受 JPEG、PNG 或 WebP 图片")


def read_limited(stream, limit: int = MAX_BYTES, chunk: int = 256 * 1024) -> bytes:
    """Read a body of at most `limit` bytes, whatever its Content-Length claimed; TooLarge beyond."""
    parts, total = [], 0
    while True:
        part = stream.read(min(chunk, limit + 1 - total))
        if not part:
            return b"".join(parts)
        total += len(part)
        if total > limit:
            raise TooLarge(f"照片不能超过{limit // (1024 * 1024)}MB")
        parts.append(part)


def store_photo(user, sha: str, data: bytes, storage: Storage | None = None) -> tuple[Photo, bool]:
    """Verify and store an upload; (photo, True) when stored now, (photo, False) when already there."""
    check_sha(sha)
    if not data:
        raise Invalid("没有收到照片内容，请重新上传")
    if hashlib.sha256(data).hexdigest() != sha:
        raise Invalid("照片内容与其 SHA-256 不符（可能上传中断），请重新上传")
    storage = storage or current_storage()
    existing = db.session.get(Photo, sha)
    if existing is not None and storage.exists(existing.original_key):
        return existing, False
    info = put_objects(sha, data, storage)
    if existing is not None:  # the row outlived its objects (storage restored from an old backup)
        return existing, False
    return _insert(user, sha, data, info)


def put_objects(sha: str, data: bytes, storage: Storage | None = None) -> imaging.ImageInfo:
    """Check an image by its content (type, pixel count, structure), then store the original.

    Objects go in before any row: a row never names a missing object. Keys are content-addressed, so
    a retry after a crash rewrites the same bytes and an orphan from a failed commit is harmless.
    The thumbnail is made when it is first asked for (thumbnail_of), not here: an inspector's sync
    uploads many photos that nobody looks at until later, and a thumbnail costs ten times the check.
    """
    try:
        info = imaging.inspect(data)
    except imaging.BadImage as e:
        raise Invalid(e.message, fields={"photo": [e.message]}) from None
    (storage or current_storage()).put(original_key(sha), data)
    return info


def thumbnail_of(sha: str, storage: Storage | None = None) -> bytes:
    """The thumbnail of a stored original: made once, on first request, and kept under its own key.

    Two requests making it at once write the same bytes to the same key (atomic puts), so no lock is
    needed. An original that passed the upload check but cannot be decoded is Invalid (422).
    """
    storage = storage or current_storage()
    key = thumb_key(sha)
    if storage.exists(key):
        return storage.get(key)
    try:
        thumb = imaging.thumbnail(storage.get(original_key(sha)))
    except imaging.BadImage as e:
        raise Invalid("照片已损坏，无法生成缩略图", fields={"photo": [e.message]}) from None
    storage.put(key, thumb)
    return thumb


_TABLE = Photo.__table__
# Insert unless a concurrent upload of the same photo got there first: no savepoint, no failed statement.
_INSERT_NEW = {name: dialect.insert(_TABLE).on_conflict_do_nothing(index_elements=[_TABLE.c.sha256])
               .returning(_TABLE.c.sha256) for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


def _insert(user, sha: str, data: bytes, info: imaging.ImageInfo) -> tuple[Photo, bool]:
    """Add the row; a concurrent upload of the same photo that committed first makes this one 'exists'."""
    values = dict(sha256=sha, size=len(data), mime=info.mime, width=info.width, height=info.height,
                  original_key=original_key(sha), thumb_key=thumb_key(sha), uploaded_by=user.id,
                  station_id=user.station_id, county_id=user.county_id, created_at=utcnow())
    session = db.session()
    conn = session.connection()
    if conn.execute(_INSERT_NEW[conn.dialect.name], values).first() is None:
        return session.get(Photo, sha, populate_existing=True), False
    return immutable.written(session, Photo, values), True


_USES = PhotoUse.__table__
_INSERT_USE = {name: dialect.insert(_USES).on_conflict_do_nothing() for name, dialect in
               (("postgresql", postgresql), ("sqlite", sqlite))}


def record_uses(shas: list[str], kind: str, record_id: int, station_id: int | None, county_id: int) -> None:
    """Note that a record (kind "inspection" or "sign", its id) uses these photos: anyone who may see
    the record may then see them, whoever uploaded the bytes first (issue 18, item 2). Idempotent."""
    rows = [dict(sha256=sha, kind=kind, record_id=record_id, station_id=station_id, county_id=county_id)
            for sha in dict.fromkeys(shas) if isinstance(sha, str) and SHA256.match(sha)]
    if rows:
        conn = db.session.connection()
        conn.execute(_INSERT_USE[conn.dialect.name], rows)


def check_own_photo(user, sha: str | None) -> None:
    """A photo given as evidence by its author (a sign-posted confirmation) must be one the author
    uploaded, or one not uploaded yet (it comes from this device). Invalid otherwise."""
    photo = db.session.get(Photo, sha) if sha else None
    if photo is not None and photo.uploaded_by != user.id:
        raise Invalid("这张照片不是本人拍摄上传的，请现场重新拍照",
                      fields={"photo_sha256": ["须使用本人现场拍摄的照片"]})


def _in_scope(user, station_id, county_id) -> bool:
    if county_id != user.county_id:
        return False
    if user.role == "county_admin":
        return True
    return user.station_id is not None and station_id == user.station_id


def _visible(user, photo: Photo) -> bool:
    """The uploader's station (or county, for a county admin) sees it; so does anyone who may see a
    record that uses it."""
    if _in_scope(user, photo.station_id, photo.county_id):
        return True
    uses = db.session.execute(sa.select(_USES.c.station_id, _USES.c.county_id)
                              .where(_USES.c.sha256 == photo.sha256)).all()
    return any(_in_scope(user, station_id, county_id) for station_id, county_id in uses)


def get_photo(user, sha: str) -> Photo:
    """A photo the user may see; NotFound for others' photos, as for missing ones."""
    photo = db.session.get(Photo, sha) if isinstance(sha, str) and SHA256.match(sha) else None
    if photo is None or not _visible(user, photo):
        raise NotFound("找不到该照片")
    return photo


def open_original(user, sha: str, storage: Storage | None = None):
    """(photo, readable stream of the original bytes) for a photo the user may see."""
    photo = get_photo(user, sha)
    return photo, (storage or current_storage()).open(photo.original_key)


def open_original_range(user, sha: str, start: int, stop: int, storage: Storage | None = None):
    """(photo, stream of bytes [start, stop) of the original) for a photo the user may see; the
    caller has checked 0 <= start < stop <= photo.size (werkzeug's Range.range_for_length)."""
    photo = get_photo(user, sha)
    return photo, (storage or current_storage()).open_range(photo.original_key, start, stop)


def thumbnail_bytes(user, sha: str, storage: Storage | None = None) -> tuple[Photo, bytes]:
    """(photo, thumbnail JPEG bytes) for a photo the user may see."""
    photo = get_photo(user, sha)
    return photo, thumbnail_of(photo.sha256, storage)


_STORED = sa.select(Photo.sha256).where(Photo.sha256.in_(sa.bindparam("shas", expanding=True)))


def missing_photos(shas: list[str]) -> set[str]:
    """Those of the hashes that have no stored photo yet (an inspection waits for them)."""
    wanted = {s for s in shas}
    found = set()
    candidates = sorted(s for s in wanted if isinstance(s, str) and SHA256.match(s))
    for i in range(0, len(candidates), _IN_CHUNK):
        chunk = candidates[i:i + _IN_CHUNK]
        found.update(db.session.connection().execute(_STORED, {"shas": chunk}).scalars())
    return wanted - found
