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
    # Received Mon 28 Dec 2026, 2027 not yet published: the statutory New Year's Day (《全国年节及纪念日放假办法》
    # Art. 2) is still a rest day: Tue 29 (1), Wed 30 (2), Thu 31 (3), Fri 1 Jan off, Mon 4 (4) … Thu 7 (7)
    d = service.deadline("complaint_accept", date(2026, 12, 28))
    assert d.due == date(2027, 1, 7) and d.uncertain and "尚未录入节假日安排" in d.warning
    # When the county admin enters 2027's New Year holiday
    admin = db.session.get(User, world.ids["county_admin"])
    service.set_year(admin, 2027, holidays=[(date(2027, 1, 1), "元旦")], workdays=[])
    # Then the deadline is sure
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
    rule = service.rule_for("clue_verify", date(2026, 11, 27))
    assert (rule.days, rule.working_days, rule.extension_days) == (15, True, 15) and "第121号" in rule.basis
    assert "第二十七条" in rule.basis
    # The day before Order No. 121 took effect, Order No. 20 governed
    old = service.rule_for("mediation_end", date(2026, 4, 14))
    assert (old.days, old.working_days) == (45, True) and "第20号" in old.basis and "第二十一条" in old.basis
    new = service.rule_for("mediation_end", date(2026, 4, 15))
    assert (new.days, new.working_days) == (60, False) and "第121号" in new.basis


def test_a_date_no_rule_covers_is_named_in_chinese(calendar):
    with pytest.raises(service.NoRule) as err:
        service.deadline("complaint_accept", date(2019, 12, 31))  # before Order No. 20 took effect
    assert err.value.message.startswith("2019-12-31没有适用的投诉受理决定期限规则")
    assert "2020-01-01起" in err.value.message and "complaint_accept" not in err.value.message
    assert err.value.status == 422


def test_order_20_periods_computed_by_hand(calendar):
    # Order No. 20 Art. 14: acceptance within 7 working days. Received Mon 2 Mar 2026:
    # Tue 3 (1), Wed 4, Thu 5, Fri 6, Mon 9, Tue 10, Wed 11 (7)
    assert service.deadline("complaint_accept", date(2026, 3, 2)).due == date(2026, 3, 11)
    # Art. 21 (1) item 6: 45 working days from acceptance on Wed 11 Mar 2026. March after the 11th has
    # 14 working days (12–31), April 22 weekdays less 清明 Mon 6 Apr = 21 (35), May: 1–5 劳动节 off, Sat 9 May
    # worked (调休), so Wed 6 (36), Thu 7, Fri 8, Sat 9, Mon 11, Tue 12, Wed 13, Thu 14, Fri 15 (44), Mon 18 (45)
    assert service.deadline("mediation_end", date(2026, 3, 11)).due == date(2026, 5, 18)
    # Art. 21 (2): termination told within 7 working days; Art. 23 clue: 15 working days, +15 in special cases
    assert service.deadline("mediation_end_notice", date(2026, 3, 2)).due == date(2026, 3, 11)
    clue = service.deadline("clue_verify", date(2026, 3, 2))
    assert service.working_days_between(date(2026, 3, 2), clue.due) == 15
    # A complaint keeps the rules of its day of receipt: accepted after 15 April, still 45 working days
    later = service.deadline("mediation_end", date(2026, 4, 16), rules_on=date(2026, 4, 10))
    assert service.working_days_between(date(2026, 4, 16), later.due) == 45


def test_spring_festival_2027_falls_back_to_the_statutory_days(calendar):
    # 2027 not entered: 除夕 Fri 5 Feb and 初一–初三 (6–8 Feb) are rest days (放假办法 Art. 2), no 调休 known.
    # Received Mon 1 Feb 2027: Tue 2 (1), Wed 3 (2), Thu 4 (3), Fri 5–Mon 8 off, Tue 9 (4) … Fri 12 (7)
    d = service.deadline("complaint_accept", date(2027, 2, 1))
    assert d.due == date(2027, 2, 12) and d.uncertain


def test_seeding_twice_adds_nothing(calendar):
    assert seed.seed_calendar() == [] and seed.seed_rules() == 0
