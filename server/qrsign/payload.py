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

VERSION = 1
PREFIX = "/s/"
TOKEN_BYTES = 12
TOKEN_LENGTH = 16
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16}$")


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


def short_text(url: str) -> str:
    """The URL as printed under the code for people who type it: without the scheme."""
    return url.split("://", 1)[-1]
