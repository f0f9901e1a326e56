"""One source of the current time, so tests and records agree."""
from datetime import date, datetime, timezone


def utcnow() -> datetime:
    """The current time in UTC, without tzinfo (stored as UTC in every database)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today() -> date:
    """Today's date in China Standard Time, the calendar the bureau works by."""
    from datetime import timedelta
    return (datetime.now(timezone.utc) + timedelta(hours=8)).date()
