"""Statutory deadlines over holidays, adjusted working days and years not yet published."""
from datetime import date

import pytest

from server.account.models import User
from server.core.errors import Forbidden
from server.extensions import db
from server.workday import seed, service


@pytest.fixture
def calendar(ctx):
    seed.seed_calendar()
    seed.seed_rules()
    db.session.commit()


def test_the_package_years_are_entered(calendar):
    years = service.known_years()
    assert years[0] == 2004 and years[-1] == 2026


def test_seven_working_days_across_national_day_and_an_adjusted_saturday(calendar):
    # Received Tue 29 Sep 2026: Wed 30 Sep (1); 1–7 Oct holiday; Thu 8 (2), Fri 9 (3),
    # Sat 10 Oct worked (调休) (4), Mon 12 (5), Tue 13 (6), Wed 14 (7)
    d = service.deadline("complaint_accept", date(2026, 9, 29))
    assert d.due == date(2026, 10, 14) and not d.uncertain and d.warning == ""


def test_the_adjusted_sunday_before_national_day_counts(calendar):
    # Received Fri 18 Sep 2026: Sun 20 Sep is worked (day 1), Mon 21–Thu 24 (2–5),
    # Fri 25 is Mid-Autumn, Mon 28 (6), Tue 29 (7)
    d = service.deadline("complaint_accept", date(2026, 9, 18))
    assert d.due == date(2026, 9, 29)


def test_calendar_period_ending_on_a_holiday_moves_to_the_next_working_day(calendar):
    # Mediation accepted 2 Aug 2026: + 60 days = Thu 1 Oct (National Day) → Thu 8 Oct
    assert service.deadline("mediation_end", date(2026, 8, 2)).due == date(2026, 10, 8)


def test_extension_with_approval(calendar):
    plain = service.deadline("report_case_decision", date(2026, 6, 1))
    longer = service.deadline("report_case_decision", date(2026, 6, 1), extended=True)
    assert service.working_days_between(date(2026, 6, 1), plain.due) == 15
    assert service.working_days_between(date(2026, 6, 1), longer.due) == 30


def test_new_year_2027_is_uncertain_until_the_year_is_entered(calendar, world):
    # Received Mon 28 Dec 2026: 2027 is not published yet, so 1 Jan 2027 is taken as a Friday at work
    d = service.deadline("complaint_accept", date(2026, 12, 28))
    assert d.due == date(2027, 1, 6) and d.uncertain and "尚未录入节假日安排" in d.warning
    # When the county admin enters 2027's New Year holiday
    admin = db.session.get(User, world.ids["county_admin"])
    service.set_year(admin, 2027, holidays=[(date(2027, 1, 1), "元旦")], workdays=[])
    # Then the deadline is sure and a day later
    d = service.deadline("complaint_accept", date(2026, 12, 28))
    assert d.due == date(2027, 1, 7) and not d.uncertain


def test_only_county_admins_enter_years_and_days_must_belong_to_the_year(calendar, world):
    station_admin = db.session.get(User, world.ids["admin_a"])
    with pytest.raises(Forbidden):
        service.set_year(station_admin, 2027, holidays=[], workdays=[])
    admin = db.session.get(User, world.ids["county_admin"])
    with pytest.raises(service.Invalid):
        service.set_year(admin, 2027, holidays=[(date(2026, 1, 1), "元旦")], workdays=[])
    assert 2027 not in service.known_years()


def test_rules_are_dated_data(calendar):
    with pytest.raises(service.NotFound):
        service.deadline("complaint_accept", date(2025, 1, 6))  # before Order 121: no rule entered
    rule = service.rule_for("clue_verify", date(2026, 11, 27))
    assert (rule.days, rule.working_days, rule.extension_days) == (15, True, 15) and "第121号" in rule.basis


def test_seeding_twice_adds_nothing(calendar):
    assert seed.seed_calendar() == [] and seed.seed_rules() == 0
