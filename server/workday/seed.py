"""Seed the calendar from the chinesecalendar package and the deadline rules in force."""
from datetime import date

import sqlalchemy as sa

from server.extensions import db
from server.workday.models import CalendarDay, CalendarYear, DeadlineRule

ORDER_121 = "《市场监督管理投诉举报处理办法》（国家市场监督管理总局令第121号）"
# The rules in force since 15 April 2026; a later change is a new row with its own valid_from.
RULES = [
    ("complaint_accept", 7, True, 0, "投诉受理决定", ORDER_121 + "第十五、十六条"),
    ("mediation_end", 60, False, 0, "调解期限（鉴定时间不计入）", ORDER_121 + "第二十二、二十三条"),
    ("mediation_end_notice", 7, True, 0, "终止调解告知", ORDER_121 + "第二十三条"),
    ("clue_verify", 15, True, 15, "调解中发现违法线索的核查", ORDER_121 + "第二十七条"),
    ("report_case_decision", 15, True, 15, "举报立案决定", ORDER_121),
]
ORDER_121_FROM = date(2026, 4, 15)
NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
         "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
         "Anti-Fascist 70th Day": "抗战胜利纪念日"}


def seed_rules() -> int:
    """Insert the rules of Order No. 121 if missing; returns how many were added."""
    added = 0
    for code, days, working, ext, label, basis in RULES:
        exists = db.session.scalar(sa.select(DeadlineRule.id).where(
            DeadlineRule.code == code, DeadlineRule.valid_from == ORDER_121_FROM))
        if exists is None:
            db.session.add(DeadlineRule(code=code, valid_from=ORDER_121_FROM, days=days, working_days=working,
                                        extension_days=ext, label=label, basis=basis))
            added += 1
    db.session.flush()
    return added


def seed_calendar() -> list[int]:
    """Every year the chinesecalendar package knows and the database does not yet; returns the years added."""
    from chinese_calendar import constants
    have = set(db.session.scalars(sa.select(CalendarYear.year)))
    days = [(d, False, NAMES.get(name, name)) for d, name in constants.holidays.items() if d.weekday() < 5]
    days += [(d, True, NAMES.get(name, name) + "调休上班") for d, name in constants.workdays.items() if d.weekday() >= 5]
    years = sorted({d.year for d, _, _ in days} - have)
    for d, workday, name in days:
        if d.year in years:
            db.session.add(CalendarDay(day=d, is_workday=workday, name=name[:40]))
    for y in years:
        db.session.add(CalendarYear(year=y, source="chinesecalendar"))
    db.session.flush()
    return years
