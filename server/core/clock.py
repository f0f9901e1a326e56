"""One source of the current time, so tests and records agree."""
from datetime import date, datetime, timezone


def utcnow() -> datetime:
    """The current time in UTC, without tzinfo (stored as UTC in every database)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def happened_at() -> datetime:
    """When the change being made happened: the device's time for a change synced from the field app
    (issue 18, item 7: confirmations keep the time they were made, not the sync's), else now (UTC)."""
    from server.core.context import device_time
    return device_time() or utcnow()


def today() -> date:
    """Today's date in China Standard Time, the calendar the bureau works by."""
    from datetime import timedelta
    return (datetime.now(timezone.utc) + timedelta(hours=8)).date()
