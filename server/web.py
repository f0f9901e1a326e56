"""The request boundary: who is asking, deny by default, one commit per request, one error shape."""
from flask import g, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from server.account import service as accounts
from server.core.bounds import bad_field, clean_header
from server.core.pool import is_retryable
from server.core.context import Actor, reset_actor, set_actor
from server.core.errors import DomainError
from server.extensions import db, login_manager
from server.photo.storage import StorageUnavailable
from server.scope import check_path_records

# Endpoints anyone may reach without logging in. Everything else needs a user.
# Blueprints whose every endpoint is public: the consumer's pages behind a sign's QR code, the directory
# of trusted units, the published 红黑榜, and their read-only JSON.
PUBLIC_BLUEPRINTS = {"public", "directory", "directory-api", "redblack", "red-black-api"}
PUBLIC_ENDPOINTS = {
    "static", "health.healthz", "admin_auth.login", "api-docs.openapi_json",
    "accounts.create_token", "pwa.app_root", "pwa.app_file", "pwa.vendor_file",
}

# What a city or province account may reach: its own pages, logging out, and the landing page (which sends it
# on to its roll-up). Every other staff page and the whole API — every county's write and personal data —
# answers 403 to it, the same for a record that exists and one that does not.
REGION_BLUEPRINTS = {"region"}
REGION_ENDPOINTS = {"admin_auth.logout", "admin.dashboard",
                    # their own background jobs (the roll-up export): server.job.service shows each only its own
                    "admin.job_list", "admin.job_page", "admin.job_file", "admin.job_retry"}

# Inline style is allowed (templates and the field app set style attributes); inline script is not.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")

HTTP_MESSAGES = {
    400: "请求内容有误", 401: "请先登录", 403: "没有权限", 404: "找不到该页面或记录",
    405: "不支持的请求方式", 409: "与当前数据冲突", 413: "上传的内容过大", 415: "不支持的内容类型",
    422: "填写的内容有误", 429: "请求过于频繁，请稍后再试", 500: "服务器出错了，请稍后再试",
}


def is_api() -> bool:
    """True for requests to the JSON API."""
    return request.path.startswith("/api/")


@login_manager.user_loader
def _load_user(session_id: str):
    return accounts.load_session_user(session_id)


def _authenticate():
    """Set g.user from a bearer token (API) or the cookie session (pages)."""
    g.user, g.device = None, None
    if is_api():
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            found = accounts.user_for_token(header[7:].strip())
            if found:
                g.user, g.device = found
    elif current_user.is_authenticated:
        g.user = current_user._get_current_object()


def _is_public() -> bool:
    return request.endpoint in PUBLIC_ENDPOINTS or request.blueprint in PUBLIC_BLUEPRINTS


def before_request():
    """Authenticate, set the actor for the audit log, and refuse anyone not logged in.

    The consumer's pages behind a sign answer everyone alike, so they skip the session and the
    token lookup altogether (a scan is the busiest request the system gets)."""
    if request.blueprint in PUBLIC_BLUEPRINTS:
        g.user, g.device = None, None
    else:
        _authenticate()
    device = f"token:{g.device.id}" if g.device else "web:" + clean_header(request.headers.get("User-Agent", ""), 120)
    g.actor_token = set_actor(Actor(g.user.id if g.user else None, device))
    if request.routing_exception is not None:
        return None  # a 404 or a redirect to the canonical URL: routing answers, not the login gate
    refused = _control_characters()
    if refused is not None:
        return refused
    if g.user is None and not _is_public():
        if is_api() or request.endpoint is None:
            return error_response(401, "unauthenticated", "请先登录或令牌已失效")
        return redirect(url_for("admin_auth.login", next=request.full_path))
    if g.user is not None and g.user.role == "volunteer" and not _volunteer_may():
        return error_response(403, "forbidden", "消费义工只能使用“我的暗访”页面")
    if g.user is not None and g.user.is_region and not _is_public() and not (
            request.blueprint in REGION_BLUEPRINTS or request.endpoint in REGION_ENDPOINTS):
        return error_response(403, "forbidden", "市局、省局账号只能查看各县进度汇总，不能进入县局的业务页面")
    if is_api():
        check_path_records()  # a record out of scope is a 404 before its body is read (server.scope)


# What a 消费义工 may reach besides the public pages: their own page (the volunteer blueprint, which shows
# only their own assignments) and logging in and out. Every page and API of the bureau answers 403.
VOLUNTEER_BLUEPRINTS = {"volunteer"}
VOLUNTEER_ENDPOINTS = {"admin_auth.login", "admin_auth.logout"}


def _volunteer_may() -> bool:
    return (_is_public() or request.blueprint in VOLUNTEER_BLUEPRINTS
            or request.endpoint in VOLUNTEER_ENDPOINTS)


def _control_characters():
    """A 400 for a query argument, or a form field of a staff page, holding a control character (NUL and
    the like; schemas.bounds). JSON bodies and the consumer's forms are checked field by field by their
    schemas, so that one bad change in a push is that change's result, not the batch's."""
    pairs = list(request.args.items(multi=True))
    if request.blueprint not in PUBLIC_BLUEPRINTS and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        pairs += list(request.form.items(multi=True))
    found = bad_field(pairs)
    if found is None:
        return None
    name, chars = found
    return error_response(400, "invalid", f"提交的内容含有不允许的控制字符（{'、'.join(chars[:5])}），请删除后重试",
                          {name: [f"含有不允许的控制字符：{'、'.join(chars[:5])}"]})


def after_request(response):
    """Commit what the request did if it succeeded; roll back otherwise. A request that never used
    the database (a sign page served from memory, a static file) has no session to end."""
    if db.session.registry.has():
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        # Staff pages and the field app: scripts only from our own files, never framed (clickjacking). The
        # consumer's pages set a stricter one of their own (server.public.views).
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        # Only over HTTPS (behind the proxy, with TRUSTED_PROXY_HOPS so X-Forwarded-Proto counts): a year.
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def teardown_request(exc):
    token = g.pop("actor_token", None)
    if token is not None:
        reset_actor(token)


def error_response(status: int, code: str, message: str, fields=None, current=None):
    """The API's one error shape, or an error page for browsers."""
    if is_api():
        body = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        if current is not None:
            body["current"] = current
        return jsonify(error=body), status
    return render_template("error.html", status=status, message=message), status


def _flatten(messages: dict) -> dict:
    """webargs groups messages by location ({"json": {...}}); the client wants the fields."""
    out = {}
    for loc, errs in messages.items():
        if isinstance(errs, dict):
            out.update(errs)
        else:
            out[loc] = errs
    return out


def handle_domain_error(err: DomainError):
    current = None
    if err.current is not None:
        from server.api_dump import dump_current
        current = dump_current(err.current)
    resp = make_response(error_response(err.status, err.code, err.message, err.fields, current))
    if getattr(err, "retry_after", None):
        resp.headers["Retry-After"] = str(err.retry_after)
    return resp


def handle_http_exception(err: HTTPException):
    data = getattr(err, "data", None) or {}
    if err.code == 422 and "messages" in data:
        return error_response(422, "invalid", "填写的内容有误，请按提示修改", _flatten(data["messages"]))
    if err.code == 400 and getattr(err, "description", "").startswith("The CSRF"):
        return error_response(400, "csrf", "页面已过期，请刷新后重试")
    return error_response(err.code or 500, err.name.lower().replace(" ", "_"),
                          HTTP_MESSAGES.get(err.code, err.name))


def handle_db_error(err: DBAPIError):
    """A deadlock, a busy database or a connection the server dropped (server.core.pool) is no fault of
    the request: nothing was stored; try again."""
    db.session.rollback()
    if is_retryable(err):
        resp = make_response(error_response(503, "retry", "服务器繁忙，本次未保存，请稍后重试"))
        resp.headers["Retry-After"] = "1"
        return resp
    raise err


def handle_storage_down(err: StorageUnavailable):
    """The photo store is down, timing out or full: nothing of this request was stored (the row is
    rolled back; an object is either whole or absent); the field app keeps the photo and retries."""
    import logging
    logging.getLogger(__name__).warning("photo store unavailable: %s", err)
    db.session.rollback()
    resp = make_response(error_response(503, "retry", "照片存储暂时不可用，本次未保存，请稍后重试"))
    resp.headers["Retry-After"] = "5"
    return resp


def handle_unexpected(err: Exception):
    import logging
    logging.getLogger(__name__).exception("unhandled error")
    db.session.rollback()
    return error_response(500, "internal", HTTP_MESSAGES[500])


def init_app(app):
    """Wire the boundary into the app."""
    app.before_request(before_request)
    app.after_request(after_request)
    app.teardown_request(teardown_request)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_db_error)
    app.register_error_handler(StorageUnavailable, handle_storage_down)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
