"""The limits every field of the wire contract keeps, in whatever schema it is declared.

Installed on import, as schemas.zh installs the messages: marshmallow gives no hook for a default validator,
so each field class's __init__ adds one unless the field declares its own. Hostile input (issue 16) made the
database, not the schema, refuse it — a 500 where a 422 with a Chinese message per field was due:
  - Integer: within PostgreSQL's `integer` (−2³¹ … 2³¹−1) unless the field declares its own Range (sync
    cursors, which are bigint); documented as minimum/maximum in the OpenAPI document;
  - String: no NUL or other control character (tab and line breaks allowed), no lone surrogate (neither
    database can store one), and at most TEXT_MAX characters unless the field declares its own Length;
  - Date and DateTime: in FIRST_DAY … LAST_DAY (impossible dates such as 2023-02-30 are refused by the
    parser already); a naive DateTime is dumped as UTC with its offset (the database keeps naive UTC) so
    every `date-time` in the API carries its offset (RFC 3339).
Route converters, query arguments and admin forms check with the same numbers (server.core.bounds).
"""
import re
from datetime import date, datetime, timezone

from marshmallow import ValidationError, fields, validate

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
TEXT_MAX = 10000
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
# C0 controls but tab, LF, CR; DEL and C1 controls; UTF-16 surrogates; the non-characters U+FFFE/U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def forbidden_chars(text: str) -> list[str]:
    """The code points of text that no field accepts, as "U+0000", in order, each once."""
    seen: list[str] = []
    for ch in FORBIDDEN.findall(text):
        name = f"U+{ord(ch):04X}"
        if name not in seen:
            seen.append(name)
    return seen


def check_text(value: str) -> None:
    """ValidationError naming the control characters in value."""
    bad = forbidden_chars(value)
    if bad:
        raise ValidationError(f"含有不允许的控制字符：{'、'.join(bad[:5])}")


def in_int_range(value: int) -> bool:
    """True for a value PostgreSQL's integer column holds."""
    return INT_MIN <= value <= INT_MAX


def check_day(value) -> None:
    """ValidationError unless value (a date or datetime) falls in FIRST_DAY … LAST_DAY."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(f"日期应在{FIRST_DAY.year}年到{LAST_DAY.year}年之间")


INT_RANGE = validate.Range(min=INT_MIN, max=INT_MAX, error="数值超出范围")
TEXT_LENGTH = validate.Length(max=TEXT_MAX, error=f"不能超过{TEXT_MAX}个字")


def _has(field: fields.Field, kind: type) -> bool:
    return any(isinstance(v, kind) for v in field.validators)


def _wrap_init(cls, add):
    original = cls.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        add(self)
    cls.__init__ = __init__


def _int(field):
    if not _has(field, validate.Range):
        field.validators.append(INT_RANGE)


def _text(field):
    field.validators.append(check_text)
    if not _has(field, validate.Length):
        field.validators.append(TEXT_LENGTH)


def _day(field):
    field.validators.append(check_day)


_wrap_init(fields.Integer, _int)
_wrap_init(fields.String, _text)
_wrap_init(fields.Date, _day)
_wrap_init(fields.DateTime, _day)

_dump_datetime = fields.DateTime._serialize


def _serialize_with_offset(self, value, attr, obj, **kwargs):
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return _dump_datetime(self, value, attr, obj, **kwargs)


fields.DateTime._serialize = _serialize_with_offset
