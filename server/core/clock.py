"""One source of the current time and of China time, so tests and records agree.

Times are stored as naive UTC (every database the same); people read China time (Asia/Shanghai, zoneinfo), and
the bureau's days are China days. Every conversion between the two goes through the functions here.
"""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")  # UTC+8; no daylight saving since 1991 (the tzdata package where the OS has none)


def utcnow() -> datetime:
    """The current time in UTC, without tzinfo (stored as UTC in every database)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def happened_at() -> datetime:
    """When the change being made happened: the device's time for a change synced from the field app
    (issue 18, item 7: confirmations keep the time they were made, not the sync's), else now (UTC)."""
    from server.core.context import device_time
    return device_time() or utcnow()


def today() -> date:
    """Today's date in China, the calendar the bureau works by."""
    return datetime.now(CHINA).date()


def china_time(value: datetime) -> datetime:
    """A stored UTC time (naive) as China wall-clock time (naive): 2023-09-01 16:30 → 2023-09-02 00:30."""
    return value.replace(tzinfo=timezone.utc).astimezone(CHINA).replace(tzinfo=None)


def china_date(value: datetime) -> date:
    """The China day a stored UTC time (naive) falls on."""
    return china_time(value).date()


def from_china(value: datetime) -> datetime:
    """A China wall-clock time (naive, as people write it) as a stored UTC time (naive)."""
    return value.replace(tzinfo=CHINA).astimezone(timezone.utc).replace(tzinfo=None)


def china_midnight(day: date) -> datetime:
    """The stored UTC time (naive) at which China's `day` begins: 2023-09-01 → 2023-08-31 16:00."""
    return from_china(datetime.combine(day, time()))


def china_text(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as people read it, in China time; a date (already a China day) as it is; "" for None."""
    if value is None:
        return ""
    return (china_time(value) if isinstance(value, datetime) else value).strftime(fmt)
