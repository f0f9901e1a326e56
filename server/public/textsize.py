"""The 大字 switch of the public pages (issue 19, item 4): a cookie set by a plain link, so it works and
persists without JavaScript, on every public page (sign page, forms, directory, lists)."""
from flask import request

COOKIE = "big"
ONE_YEAR = 365 * 24 * 3600


def is_big() -> bool:
    """True when this browser asked for large text."""
    return request.cookies.get(COOKIE) == "1"


def back_to(target: str) -> str:
    """Where to go after switching: a path on this site only (never another host), else the directory."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/directory"
