"""The wire contract's limits (schemas.bounds) where no schema parses: route converters, query arguments,
admin forms read by hand, and headers written to the database.

An id above PostgreSQL's integer range in a URL is a 404 (no such record), as on SQLite; a control
character in any query argument or admin form field is a 400 naming the field, before anything is read.
"""
from datetime import date

from werkzeug.routing import IntegerConverter

from schemas.bounds import FIRST_DAY, FORBIDDEN, INT_MAX, LAST_DAY, forbidden_chars, in_int_range


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: 0 … 2³¹−1; anything larger matches no route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def install(app) -> None:
    """Make `<int:…>` bounded; before any route is added."""
    app.url_map.converters["int"] = IdConverter


def to_int(value) -> int:
    """int(value) for a query argument or form field, within the integer range; ValueError otherwise
    (so `request.args.get(name, type=to_int)` gives the default for a bad value, as for a non-number)."""
    n = int(str(value).strip())
    if not in_int_range(n):
        raise ValueError("out of range")
    return n


def ids(values) -> list[int]:
    """The distinct ids among form values, in order; non-numbers and out-of-range numbers left out."""
    out = []
    for v in values:
        try:
            n = to_int(v)
        except ValueError:
            continue
        if n > 0 and n not in out:
            out.append(n)
    return out


def to_day(value: str) -> date:
    """A date typed in a form (YYYY-MM-DD) in the sensible range; ValueError with a Chinese message
    for an impossible one (2023-02-30), never today instead."""
    try:
        day = date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"“{str(value)[:20]}”不是有效日期（应为YYYY-MM-DD，如2023-11-30）") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"日期应在{FIRST_DAY.year}年到{LAST_DAY.year}年之间")
    return day


def bad_field(values) -> tuple[str, list[str]] | None:
    """(name, code points) of the first field among (name, value) pairs holding a control character."""
    for name, value in values:
        bad = forbidden_chars(name) or forbidden_chars(value)
        if bad:
            return name, bad
    return None


def clean_header(value: str, limit: int) -> str:
    """A header value fit to store: control characters dropped (schemas.bounds.FORBIDDEN), at most limit
    characters. Every request's User-Agent passes here (the audit log's device): one regex pass."""
    return FORBIDDEN.sub("", value[: limit * 2])[:limit]
