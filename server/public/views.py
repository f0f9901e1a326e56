"""The public sign page /s/<token>: no login, no JavaScript, no session, small, kept rendered per process;
and the consumer's two forms, each on a page of its own (they carry the session's CSRF token)."""
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from marshmallow import ValidationError

from server.checklist.service import base_pairs
from schemas.feedback import COMPLAINT_KINDS, NEGATIVE_TAGS, POSITIVE_TAGS, ComplaintFormSchema, EvaluationFormSchema
from server.core.errors import Invalid, TooManyRequests
from server.feedback import service as feedback
from server.public.cache import CachedPage, PageCache, cached_page, change_stamp, fingerprint, page_key
from server.public.service import SHOWS_FACTS, SignPage, lookup, sign_head, sign_page, storefront_thumb
from server.public.textsize import COOKIE, ONE_YEAR, back_to, is_big
from server.public.throttle import spend_lookup
from server.extensions import db
from server.qrsign import payload
from server.signage.service import canonical_serial
from server.signage import state as sign_state

bp = Blueprint("public", __name__)

HONEYPOT = "website"  # hidden from people; bots fill it in
KIND_LABELS = {"complaint": "投诉（我的消费权益受损）", "report": "举报（发现违法违规行为）"}
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
DONE = ("evaluation", "complaint")  # /s/<token>?done=…: back from a form, with a thank-you note
# The page holds public facts and no session: a browser may keep it but must ask each time (a 304 while
# unchanged), so a revoked sign shows at once. The form pages carry a CSRF token: never stored.
PAGE_CACHING = "no-cache"
FORM_CACHING = "private, no-store"


@bp.record_once
def _make_cache(state) -> None:
    state.app.extensions["public_pages"] = PageCache(state.app.config["PUBLIC_PAGE_CACHE_SIZE"])


def _pages() -> PageCache:
    return current_app.extensions["public_pages"]


def _html(body, status: int, caching: str) -> Response:
    resp = Response(body, status=status, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = caching
    resp.headers["Vary"] = "Cookie"  # the 大字 switch
    return resp


def _key(token: str) -> str:
    return page_key(token, is_big(), request.script_root)


def _render_page(page: SignPage, token: str, done: str = "") -> str:
    """The sign page. Nothing of the request but the 大字 cookie goes in: the page is kept for every scan of
    the sign (its 大字 link returns to the sign's own address, not to this request's query string).

    Rendered by Jinja straight, without the app's context processors (the staff pages' menu, user and
    labels, Flask-Login's current_user, the CSRF token): the page needs none of them, and they cost about a
    third of its render (~70 µs of ~260), paid on most scans. Flask's own globals (url_for, request,
    config) are the Jinja environment's; a name the page used from a context processor would fail its
    tests (tests/feedback/test_public_page.py renders every state)."""
    template = current_app.jinja_env.get_template("public/sign.html")
    return template.render(page=page, token=token, done=done, here=url_for("public.sign", token=token))


def _fresh_page(token: str, status: int = 200, done: str = "") -> Response:
    """The page rendered now: back from a form (with its note), or refusing a form (404)."""
    page = sign_page(token)
    return _html(_render_page(page, token, done), status if page.found else 404, PAGE_CACHING)


def _thanks_page(token: str, done: str) -> Response:
    """Back from a form: the sign's page rendered now, with its thank-you note; a token that is no sign is
    answered as any scan of it (not found, counted as a lookup: see loose)."""
    page = sign_page(token)
    if not page.found:
        return loose(token)
    return _html(_render_page(page, token, done), 200, PAGE_CACHING)


def _takes_gzip() -> bool:
    header = request.headers.get("Accept-Encoding", "")
    return "gzip" in header and request.accept_encodings["gzip"] > 0  # parsed only when it may say yes


def _send(entry: CachedPage) -> Response:
    """A kept page: 304 when the browser holds this version, gzip when the browser takes it."""
    if "If-None-Match" in request.headers and request.if_none_match.contains_weak(entry.etag):
        resp = _html(b"", 304, PAGE_CACHING)
    elif _takes_gzip():
        resp = _html(entry.gzipped, 200, PAGE_CACHING)
        resp.headers["Content-Encoding"] = "gzip"  # flask-compress leaves an encoded body alone
    else:
        resp = _html(entry.html, 200, PAGE_CACHING)
    resp.set_etag(entry.etag, weak=True)  # weak: the same page plain or gzipped
    resp.headers["Vary"] = "Accept-Encoding, Cookie"
    return resp


LOOKUP_MAX = 200  # characters kept of what was typed in the lookup box


def _lookup_page(query: str = "", status: int = 200) -> Response:
    """The lookup form; after a miss, what was typed stays in the box, and the verdict names it only
    when it is a serial's shape (free text is never repeated as the bureau's words)."""
    html = render_template("public/lookup.html", query=query[:LOOKUP_MAX], missed=bool(query),
                           serial=canonical_serial(query) if query else None)
    return _html(html, status, PAGE_CACHING)


def _lookup(raw: str) -> str | None:
    return lookup(raw, current_app.config["PUBLIC_BASE_URL"])


def _too_many(err: TooManyRequests) -> Response:
    """429: this address looked up too many signs; when to try again, in words."""
    wait = err.retry_after
    words = f"{wait}秒" if wait < 60 else (f"{-(-wait // 60)}分钟" if wait < 3600 else f"{-(-wait // 3600)}小时")
    resp = _html(render_template("public/too_many.html", wait=words), 429, FORM_CACHING)
    resp.headers["Retry-After"] = str(wait)
    return resp


@bp.get("/S")
@bp.get("/S/")
@bp.get("/s")
@bp.get("/s/")  # listed last, registered first: the address url_for gives
def lookup_form():
    """Check a sign by the serial printed on it (any case, dashes optional), or a pasted address.
    Found: to the sign's page, the same answer as a scan. Not found: says so, and how to check."""
    query = request.args.get("q", "").strip()
    if not query:
        return _lookup_page()
    try:
        spend_lookup()  # found or not: a serial leads to its token, so every typed lookup counts
    except TooManyRequests as err:
        return _too_many(err)
    token = _lookup(query)
    if token is None:
        return _lookup_page(query, 404)
    return redirect(url_for("public.sign", token=token), 303)


@bp.get("/s/<path:raw>")
@bp.get("/S/<path:raw>")
def loose(raw: str):
    """An address as walls and chat apps deliver it: "/S/", a trailing slash, a space, full-width
    characters, "。，）" glued on, or a serial typed after "/s/" — sent on to the sign's one address.
    Each counts as a lookup of the client's address (an unknown token lands here too): see throttle."""
    try:
        spend_lookup()
    except TooManyRequests as err:
        return _too_many(err)
    token = _lookup(raw)
    if token is None:
        return _lookup_page(raw, 404)
    target = url_for("public.sign", token=token)
    if target == request.path:  # a well-shaped token that is no sign: its own not-found page, not a loop
        return _html(_render_page(sign_page(token), token), 404, PAGE_CACHING)
    return redirect(target, 301)


@bp.get("/s/<token>")
def sign(token: str):
    """What a consumer sees after scanning: valid / revoked / replaced / expired / not ours."""
    if not payload.is_token(token):
        return loose(token)
    done = request.args.get("done", "")
    if done in DONE:
        return _thanks_page(token, done)
    pages, key = _pages(), _key(token)
    # Read before the facts: a change committed meanwhile makes the entry stale, not fresh; and the page is
    # filed under the day its verdict was judged on, read once (a render may straddle China midnight).
    day = sign_state.today()
    stamp = (pages.local, change_stamp())
    entry = pages.get(key, stamp, current_app.config["PUBLIC_PAGE_TTL"])
    if entry is None:
        page = sign_page(token, day)
        if not page.found:  # not kept: guessed tokens must not push real signs out
            return loose(token)  # a 16-character serial ("JY-2023-00000002") is not a token
        facts = fingerprint(page.sign)
        kept = pages.last(key)
        if kept is not None and kept.shows(facts, day):  # only the stamp or the clock moved: no render
            entry = pages.put(key, kept.renewed(stamp))
        else:
            entry = pages.put(key, cached_page(_render_page(page, token).encode(), stamp, facts, day))
    return _send(entry)


@bp.get("/text-size")
def text_size():
    """The 大字 switch: big=1 large text, anything else standard; kept a year in a cookie, then back."""
    resp = redirect(back_to(request.args.get("next", "")), 303)
    if request.args.get("big") == "1":
        resp.set_cookie(COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True)
    else:
        resp.delete_cookie(COOKIE, samesite="Lax", httponly=True)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/s/<token>/photo")
def photo(token: str):
    """The wall photo taken when this sign was confirmed posted (thumbnail, metadata stripped)."""
    found = storefront_thumb(token)
    if found is None:
        abort(404)
    sha, data = found
    resp = Response(data, mimetype="image/jpeg")
    resp.set_etag(sha)
    resp.cache_control.public, resp.cache_control.max_age = True, 3600
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp.make_conditional(request)


def _form_target(token: str, which: str) -> SignPage | None:
    """The sign a form is about; None if not ours, or an evaluation of a sign that shows no facts."""
    page = sign_head(token)
    if not page.found or (which == "evaluation" and page.state not in SHOWS_FACTS):
        return None
    return page


def _form_page(page: SignPage, token: str, which: str, status: int = 200, errors: dict | None = None,
               form: dict | None = None, message: str = "") -> Response:
    html = render_template(f"public/{which}.html", page=page, token=token, errors=errors or {},
                           form=form or {}, message=message, positive=POSITIVE_TAGS, negative=NEGATIVE_TAGS,
                           kinds=[(k, KIND_LABELS[k]) for k in COMPLAINT_KINDS], honeypot=HONEYPOT,
                           pairs=base_pairs(page.sign.county_id) if which == "evaluation" else {})
    return _html(html, status, FORM_CACHING)


def _show_form(token: str, which: str):
    page = _form_target(token, which)
    return _form_page(page, token, which) if page else _fresh_page(token, 404)


def _submit(token: str, which: str, schema, store):
    page = _form_target(token, which)
    if page is None:
        return _fresh_page(token, 404)
    form = request.form.to_dict()
    form["tags"] = request.form.getlist("tags")
    form["pair_stars"] = {k[len("pair."):]: v for k, v in request.form.items() if k.startswith("pair.") and v}
    if request.form.get(HONEYPOT, "").strip():
        return redirect(url_for("public.sign", token=token, done=which), 303)  # pretend; store nothing
    try:
        data = schema.load({k: v for k, v in form.items() if k in schema.fields and v not in ("", [])})
        store(page.sign, data, feedback.address_hash(request.remote_addr or ""))
    except ValidationError as err:
        return _form_page(page, token, which, 422, err.messages, form, "填写的内容有误，请按提示修改")
    except Invalid as err:
        return _form_page(page, token, which, 422, err.fields, form, err.message)
    except TooManyRequests as err:
        return _form_page(page, token, which, 429, {}, form, err.message)
    if which == "evaluation":
        # The new average shows here on the next scan, other processes within the TTL. Once committed (at the
        # request's end, server.web): a page dropped before the commit could be kept again, from the old
        # facts, by a scan in between, and shown as fresh until the TTL (found by a breaker).
        _pages().changed_when_committed(db.session())
    return redirect(url_for("public.sign", token=token, done=which), 303)


@bp.get("/s/<token>/evaluate")
def evaluation_form(token: str):
    """The evaluation form: stars, tags, comment."""
    return _show_form(token, "evaluation")


@bp.post("/s/<token>/evaluate")
def evaluate(token: str):
    """A consumer's evaluation: stars, tags, comment."""
    return _submit(token, "evaluation", EvaluationFormSchema(), feedback.add_evaluation)


@bp.get("/s/<token>/complain")
def complaint_form(token: str):
    """The complaint or report form, with an optional photo."""
    return _show_form(token, "complaint")


@bp.post("/s/<token>/complain")
def complain(token: str):
    """A complaint or report, with an optional photo checked by its content."""
    upload = request.files.get("photo")
    data = upload.stream.read(feedback.PHOTO_MAX_BYTES + 1) if upload and upload.filename else None

    def store(sign, form, addr):
        return feedback.add_complaint(sign, form, addr, data)
    return _submit(token, "complaint", ComplaintFormSchema(), store)
