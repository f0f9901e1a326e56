"""Working days and deadlines.

A day is a working day when it is Monday to Friday and not a holiday, or a weekend day named as
an adjusted working day (调休). Holidays are known only for years a State Council notice has been
entered (seeded from the `chinesecalendar` package, extended by a county admin each December);
for a later year the statutory fixed holidays (server.workday.statutory) are assumed and every
deadline that touches it says so, until the year is entered and the stored due dates recomputed.

Periods (SAMR Order No. 121, Art. 45): counted from the day after receipt; N working days are
the next N working days; a period of calendar days that ends on a holiday or rest day ends on the
next working day.
"""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from server.core.errors import Invalid
from server.extensions import db
from server.workday.models import CalendarDay, CalendarYear, DeadlineRule
from server.workday.statutory import fixed_holidays

_year_listeners = []


def on_year_changed(fn):
    """Register fn(year) to run (in the same transaction) after a year's holidays are entered or changed."""
    _year_listeners.append(fn)
    return fn


class NoRule(Invalid):
    """No deadline rule covers the date: a 422 with a message naming the date and the period."""


@dataclass(frozen=True)
class Deadline:
    """A due date, and whether it rests on a year whose holidays are not yet known."""

    due: date
    uncertain: bool
    rule: str

    @property
    def warning(self) -> str:
        return ("期限涉及尚未录入节假日安排的年份，暂按法定节日（不含调休）推算，录入该年安排后自动重算"
                if self.uncertain else "")


class Calendar:
    """The known years and their exceptions, loaded once for a computation."""

    def __init__(self, years: set[int], days: dict[date, bool]):
        self.years, self.days = years, days

    @classmethod
    def load(cls, start: date, end: date) -> "Calendar":
        years = set(db.session.scalars(sa.select(CalendarYear.year)))
        rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.is_workday)
                                  .where(CalendarDay.day.between(start, end))).all()
        return cls(years, dict(rows))

    def is_workday(self, d: date) -> bool:
        """True for a working day; in a year not entered, the statutory fixed holidays are rest days."""
        if d in self.days:
            return self.days[d]
        if d.year not in self.years and d in fixed_holidays(d.year):
            return False
        return d.weekday() < 5

    def known(self, d: date) -> bool:
        return d.year in self.years


def add_working_days(cal: Calendar, start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after `start`, and whether an unknown year was crossed."""
    d, left, uncertain = start, n, False
    while left > 0:
        d += timedelta(days=1)
        uncertain |= not cal.known(d)
        if cal.is_workday(d):
            left -= 1
    return d, uncertain


def add_calendar_days(cal: Calendar, start: date, n: int) -> tuple[date, bool]:
    """start + n days, moved to the next working day if it falls on a rest day."""
    d, uncertain = start + timedelta(days=n), not cal.known(start + timedelta(days=n))
    while not cal.is_workday(d):
        d += timedelta(days=1)
        uncertain |= not cal.known(d)
    return d, uncertain


def _find_rule(code: str, on: date) -> DeadlineRule | None:
    return db.session.scalar(sa.select(DeadlineRule).where(
        DeadlineRule.code == code, DeadlineRule.valid_from <= on,
        sa.or_(DeadlineRule.valid_to.is_(None), DeadlineRule.valid_to >= on)).order_by(DeadlineRule.valid_from.desc()))


def rule_for(code: str, on: date) -> DeadlineRule:
    """The rule with this code in force on a date: the rules of the regime in force on that day.

    The shipped rules (server.workday.seed) are entered on first need. Raises NoRule (422) naming the
    date and the period in Chinese when no rule covers the date, e.g. before 2020-01-01.
    """
    rule = _find_rule(code, on)
    if rule is None:
        from server.workday.seed import seed_rules
        if seed_rules():
            rule = _find_rule(code, on)
    if rule is None:
        from server.workday.seed import LABELS
        first = db.session.scalar(sa.select(sa.func.min(DeadlineRule.valid_from)).where(DeadlineRule.code == code))
        what = LABELS.get(code, "该期限")
        since = f"系统中的{what}规则自{first.isoformat()}起适用，" if first else ""
        raise NoRule(f"{on.isoformat()}没有适用的{what}期限规则：{since}请核对日期",
                     fields={"received_at": [f"{on.isoformat()}没有适用的{what}期限规则"]})
    return rule


def deadline(code: str, start: date, *, extended: bool = False, rules_on: date | None = None) -> Deadline:
    """The due date of the period `code` that starts with the event on `start` (counted from the next day).

    `rules_on`: the day whose rules apply (a complaint keeps the rules in force when it was received);
    `start` by default. Raises NoRule when no rule covers that day.
    """
    rule = rule_for(code, rules_on or start)
    days = rule.days + (rule.extension_days if extended else 0)
    cal = Calendar.load(start, start + timedelta(days=days * 2 + 40))
    step = add_working_days if rule.working_days else add_calendar_days
    due, uncertain = step(cal, start, days)
    return Deadline(due, uncertain, rule.code)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    cal = Calendar.load(start, end)
    return sum(1 for i in range(1, (end - start).days + 1) if cal.is_workday(start + timedelta(days=i)))


def known_years() -> list[int]:
    """Years whose holiday arrangements are entered."""
    return sorted(db.session.scalars(sa.select(CalendarYear.year)))


def set_year(user, year: int, holidays: list[tuple[date, str]], workdays: list[tuple[date, str]]) -> int:
    """Enter (or replace) a year's holidays and adjusted working days (county admins); the registered listeners
    then recompute what rests on the year. Returns the number of records they changed."""
    if user.role != "county_admin":
        from server.core.errors import Forbidden
        raise Forbidden("只有县局管理员可以维护节假日安排")
    for d, _ in holidays + workdays:
        if d.year != year:
            raise Invalid(f"{d.isoformat()}不属于{year}年", fields={"days": [f"{d.isoformat()}不属于{year}年"]})
    db.session.execute(sa.delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    for d, name in holidays:
        if d.weekday() < 5:
            db.session.add(CalendarDay(day=d, is_workday=False, name=name[:40]))
    for d, name in workdays:
        db.session.add(CalendarDay(day=d, is_workday=True, name=name[:40] or "调休上班"))
    record = db.session.get(CalendarYear, year) or CalendarYear(year=year)
    record.source, record.updated_by_id = "admin", user.id
    db.session.add(record)
    db.session.flush()
    return sum(fn(year) or 0 for fn in _year_listeners)


def missing_next_year(day: date) -> int | None:
    """From 1 November, next year when its holidays are not entered yet (the county admin is warned)."""
    if day.month < 11:
        return None
    nxt = day.year + 1
    return None if db.session.get(CalendarYear, nxt) else nxt
