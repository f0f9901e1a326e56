"""Kept sign pages sent before Flask: the plain scan of a sign whose page this process keeps fresh.

A scan whose page is kept (server.public.cache) costs the change stamp's query and a dictionary lookup, yet
through Flask it paid about ten times that again in the framework: the request and app contexts, routing,
the session, the login manager, CSRF, compression, the audit actor, the response object and its hooks
(~430 µs against ~50 µs, in process). Most scans are of a few signs, so this WSGI layer, inside ProxyFix
and outside everything else, sends those pages itself and hands every other request to Flask unchanged.

It sends only what the view would send byte for byte, and only when the answer cannot depend on anything
it does not check: a GET of /s/<token> over http or https whose page is kept fresh at the stamp read now
(under the same mount point); no If-None-Match (a 304 is Flask's) and no Upgrade (Flask refuses a
websocket request); an Accept-Encoding that takes gzip, as server.public.views decides; a query string of
plain words and no "done" (nothing there for the boundary's control-character check to refuse); no
cookie but the 大字 one (no session, no login). Anything else, or any error (a database that cannot be
reached answers 503 from Flask), goes to Flask. tests/feedback/test_public_fast.py holds every status,
header and byte to the Flask path, request by request, with this layer on and off.
"""
import re

from werkzeug.http import parse_accept_header, parse_cookie

from server.public.cache import PageCache, change_stamp, page_key
from server.public.textsize import COOKIE
from server.qrsign import payload

PLAIN_QUERY = re.compile(r"[A-Za-z0-9_.=&-]*")  # what messengers append: from=singlemessage&isappinstalled=0
SIGN_PATH = "/s/"
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


class KeptPages:
    """WSGI middleware: `app` is the Flask app (its kept pages, engine and settings), `wsgi_app` what it
    wraps. Installed by create_app when PUBLIC_FAST_PATH is on (the default)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.pages: PageCache = app.extensions["public_pages"]
        self._engine = None

    def __call__(self, environ, start_response):
        try:
            found = self._kept(environ)
        except Exception:  # noqa: BLE001 — the database or anything else: Flask answers, and says why
            found = None
        if found is None:
            return self.wsgi_app(environ, start_response)
        headers, body = found
        start_response("200 OK", headers)
        return [body]

    def _engine_now(self):
        if self._engine is None:
            from server.extensions import db
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def _kept(self, environ) -> tuple[list, bytes] | None:
        """(headers, gzipped body) of the kept page this request may be sent; None for Flask to answer."""
        path = environ.get("PATH_INFO", "")
        if (environ.get("REQUEST_METHOD") != "GET" or not path.startswith(SIGN_PATH) or "HTTP_IF_NONE_MATCH" in environ
                or "HTTP_UPGRADE" in environ or environ.get("wsgi.url_scheme") not in ("http", "https")):
            return None  # Flask's: a 304, a websocket request (400), a scheme it calls secure other than https
        token = path[len(SIGN_PATH):]
        query = environ.get("QUERY_STRING", "")
        if not payload.is_token(token) or token.strip() != token or "done" in query or not PLAIN_QUERY.fullmatch(query):
            return None
        cookies = parse_cookie(environ) if environ.get("HTTP_COOKIE") else {}
        if set(cookies) - {COOKIE}:
            return None
        accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
        if "gzip" not in accepted or parse_accept_header(accepted)["gzip"] <= 0:
            return None
        root = environ.get("SCRIPT_NAME", "")
        if not root.isascii():  # Flask decodes it; the key must be the same text
            return None
        key = page_key(token, cookies.get(COOKIE) == "1", root.rstrip("/"))
        if self.pages.last(key) is None:
            return None  # never kept (a first scan, a guessed token): Flask reads the stamp, not both of us
        stamp = (self.pages.local, change_stamp(self._engine_now()))
        entry = self.pages.get(key, stamp, self.app.config["PUBLIC_PAGE_TTL"])
        if entry is None:
            return None
        from server.public.views import CSP, PAGE_CACHING
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(entry.gzipped))),
                   ("Content-Security-Policy", CSP), ("Cache-Control", PAGE_CACHING),
                   ("Vary", "Accept-Encoding, Cookie"), ("Content-Encoding", "gzip"), ("ETag", f'W/"{entry.etag}"'),
                   ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
                   ("X-Frame-Options", "DENY")]
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(HSTS)
        return headers, entry.gzipped
