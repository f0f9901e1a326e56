"""The QR payload of a sign: a short URL with an unguessable token. Pure, versioned, no I/O.

Version 1 (the only one so far):

    <PUBLIC_BASE_URL>/s/<token>

token: 16 characters of URL-safe base64 without padding, encoding 12 random bytes (96 bits), made
by `new_token()`. The path prefix names the version: a later format gets a new prefix (e.g. "/s2/")
so signs already on walls keep working. `parse_url` accepts only what `build_url` makes.
"""
import base64
import re
import secrets
import unicodedata

VERSION = 1
PREFIX = "/s/"
TOKEN_BYTES = 12
TOKEN_LENGTH = 16
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16}$")
_TOKEN_HEAD = re.compile(r"^([A-Za-z0-9_-]{16})(?![A-Za-z0-9_-])(.*)$", re.S)


def new_token() -> str:
    """A fresh token: 96 random bits as 16 URL-safe characters."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).decode("ascii").rstrip("=")


def is_token(value: str) -> bool:
    """True when `value` has the shape of a version-1 token (says nothing of whether it exists)."""
    return isinstance(value, str) and bool(TOKEN_RE.match(value))


def build_url(base_url: str, token: str) -> str:
    """The URL a version-1 sign's QR code carries."""
    if not is_token(token):
        raise ValueError("token has the wrong shape")
    return base_url.rstrip("/") + PREFIX + token


def parse_url(url: str, base_url: str | None = None) -> tuple[int, str] | None:
    """(version, token) of a sign URL, or None; with base_url, the URL must start with it."""
    if base_url is not None:
        base = base_url.rstrip("/")
        if not url.startswith(base + PREFIX):
            return None
        rest = url[len(base) + len(PREFIX):]
    else:
        i = url.rfind(PREFIX)
        if i < 0:
            return None
        rest = url[i + len(PREFIX):]
    return (VERSION, rest) if is_token(rest) else None


def clean(raw: str) -> str:
    """What a person or a chat app made of a scanned or typed address, tidied: full-width forms folded
    to ASCII (NFKC: "ＡＢ１" → "AB1", "／" → "/"), every kind of space removed, slashes at either end
    dropped. "/s/Abc…/ " → "Abc…"."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "C")
    return text.strip("/")


def find_token(raw: str, base_url: str | None = None) -> str | None:
    """The version-1 token in what reached the server after "/s/", or None.

    Accepts what really arrives from walls and chat apps: a trailing slash, spaces, full-width
    characters, and anything glued on after the token ("。", "，", "）", "欢迎光临", "&from=timeline"):
    the token is the run of 16 token characters at the start, which must end there. A whole address
    pasted into the lookup box (".../s/<token>", any case of "/S/") counts only when it is on
    `base_url`'s host (a look-alike site's address is not vouched for); a bare path is fine. The token
    itself is case-sensitive (base64), so it is never case-folded.
    """
    text = clean(raw)
    i = text.lower().rfind(PREFIX)
    if i >= 0:
        if i > 0 and not _same_host(text[:i], base_url):
            return None
        text = text[i + len(PREFIX):].lstrip("/")
    m = _TOKEN_HEAD.match(text)
    return m.group(1) if m else None


def _same_host(head: str, base_url: str | None) -> bool:
    """Whether "https://host[:port]" (or "host") before "/s/" names the host of base_url."""
    if base_url is None:
        return False
    host = re.sub(r"^[a-z]+:/+", "", head.lower()).split("/")[0]
    want = re.sub(r"^[a-z]+:/+", "", base_url.lower()).split("/")[0]
    return host == want


def short_text(url: str) -> str:
    """The URL as printed under the code for people who type it: without the scheme."""
    return url.split("://", 1)[-1]
