"""/api/v1/photos: upload a photo by its SHA-256, read its metadata, thumbnail and original."""
from flask import Response, g, request, send_file
from werkzeug.datastructures import ContentRange
from werkzeug.wsgi import wrap_file

from schemas.photo import PhotoSchema, PhotoUploadSchema
from server.core.blueprint import Blueprint
from server.photo import service

api_bp = Blueprint("photos", __name__, url_prefix="/photos", description="现场照片（按 SHA-256 寻址）")

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
UPLOAD_BODY = {
    "required": True,
    "description": "照片原始字节（不要 base64，不要 multipart）；其 SHA-256 必须等于路径中的编号。"
                   "类型以内容识别为准，仅限 JPEG、PNG、WebP，不超过15MB、5000万像素。",
    "content": {t: _BINARY for t in ("image/jpeg", "image/png", "image/webp")},
}
# Served bytes never run as page content, whatever they hold.
LOCKED_DOWN = {"Content-Security-Policy": "default-src 'none'; sandbox", "X-Content-Type-Options": "nosniff"}


@api_bp.put("/<string:sha256>")
@api_bp.doc(requestBody=UPLOAD_BODY)
@api_bp.response(201, PhotoUploadSchema, description="已保存")
@api_bp.alt_response(200, schema=PhotoUploadSchema, description="服务器已有这张照片，未重复保存")
@api_bp.alt_response(413, description="照片超过15MB")
def upload(sha256):
    """Upload a photo's raw bytes; idempotent, verified against the hash, safe to retry after a break."""
    service.check_sha(sha256)
    service.check_upload_headers(request.content_type, request.content_length)
    data = service.read_limited(request.stream)
    photo, created = service.store_photo(g.user, sha256, data)
    return {"status": "stored" if created else "exists", "photo": photo}, 201 if created else 200


@api_bp.get("/<string:sha256>")
@api_bp.response(200, PhotoSchema)
def metadata(sha256):
    """A photo's metadata."""
    return service.get_photo(g.user, sha256)


@api_bp.get("/<string:sha256>/thumb")
@api_bp.response(200, {"format": "binary", "type": "string"}, content_type="image/jpeg",
                 description="缩略图（长边480像素，已按方向旋正，不含任何元数据）")
def thumb(sha256):
    """The photo's thumbnail as JPEG."""
    photo, data = service.thumbnail_bytes(g.user, sha256)
    resp = _bytes_response(data, "image/jpeg", photo.sha256)
    resp.headers["Content-Disposition"] = f'inline; filename="{photo.sha256}.jpg"'
    return resp


@api_bp.get("/<string:sha256>/original")
@api_bp.doc(responses={"200": {"description": "原图字节（与上传时完全相同，含EXIF），类型为按内容识别的类型，作为附件下载",
                              "content": {t: _BINARY for t in EXTENSIONS}}})
def original(sha256):
    """The original bytes as uploaded, as an attachment of the detected type. A `Range: bytes=a-b`
    request gets 206 with just those bytes, read from the store as a ranged read (a resumed download
    on a weak network); an unsatisfiable range gets 416."""
    photo = service.get_photo(g.user, sha256)
    if request.range is not None and request.headers.get("If-Range", f'"{photo.sha256}"').strip('"') == photo.sha256:
        return _original_range(photo)
    photo, stream = service.open_original(g.user, sha256)
    resp = send_file(stream, mimetype=photo.mime, as_attachment=True, etag=photo.sha256,
                     download_name=f"{photo.sha256}.{EXTENSIONS[photo.mime]}", conditional=True)
    resp.content_length = photo.size
    _private(resp)
    return resp


def _original_range(photo):
    span = request.range.range_for_length(photo.size)
    if span is None:
        resp = Response(status=416)
        resp.content_range = ContentRange("bytes", None, None, photo.size)
        return resp
    start, stop = span
    photo, stream = service.open_original_range(g.user, photo.sha256, start, stop)
    resp = Response(wrap_file(request.environ, stream), status=206, mimetype=photo.mime, direct_passthrough=True)
    resp.content_range = ContentRange("bytes", start, stop, photo.size)
    resp.content_length = stop - start
    resp.accept_ranges = "bytes"
    resp.set_etag(photo.sha256)
    resp.headers["Content-Disposition"] = f'attachment; filename="{photo.sha256}.{EXTENSIONS[photo.mime]}"'
    _private(resp)
    return resp


def _bytes_response(data: bytes, mimetype: str, etag: str):
    """A bytes response that caches privately and revalidates by the content hash."""
    from flask import Response
    resp = Response(data, mimetype=mimetype)
    resp.set_etag(etag)
    _private(resp)
    return resp.make_conditional(request)


def _private(resp) -> None:
    # Scoped per user: shared caches must not keep it. Content never changes, so the browser may.
    resp.cache_control.private = True
    resp.cache_control.no_cache = None
    resp.cache_control.public = False
    resp.cache_control.max_age = 86400
    resp.headers.update(LOCKED_DOWN)
