"""Seed the calendar from the chinesecalendar package, and the deadline rules of both regimes.

The rules table as shipped (every period counted from the day after its event):

| code | until 2026-04-14: SAMR Order No. 20 | from 2026-04-15: SAMR Order No. 121 |
| --- | --- | --- |
| complaint_accept | 7 working days, Art. 14 | 7 working days, Art. 15, 16 |
| mediation_end | 45 working days, Art. 21 (1) item 6 (testing/appraisal not counted, Art. 20) | 60 days, Art. 22, 23 |
| mediation_end_notice | 7 working days, Art. 21 (2) | 7 working days, Art. 23 |
| clue_verify | 15 + 15 working days, Art. 23 | 15 + 15 working days, Art. 27 |
| report_case_decision | 15 + 15 working days, 行政处罚程序规定 Art. 18 | the same |
"""
from datetime import date

import sqlalchemy as sa

from server.extensions import db
from server.workday.models import CalendarDay, CalendarYear, DeadlineRule

ORDER_20 = "《市场监督管理投诉举报处理暂行办法》（国家市场监督管理总局令第20号）"
ORDER_121 = "《市场监督管理投诉举报处理办法》（国家市场监督管理总局令第121号）"
PENALTY = "《市场监督管理行政处罚程序规定》"
ORDER_20_FROM, ORDER_20_TO = date(2020, 1, 1), date(2026, 4, 14)
ORDER_121_FROM = date(2026, 4, 15)
# (code, valid from, valid to, days, working days?, extension days, label, basis)
RULES = [
    ("complaint_accept", ORDER_20_FROM, ORDER_20_TO, 7, True, 0, "投诉受理决定", ORDER_20 + "第十四条"),
    ("mediation_end", ORDER_20_FROM, ORDER_20_TO, 45, True, 0, "调解期限（检定、检验、检测、鉴定时间不计入）",
     ORDER_20 + "第二十一条第一款第（六）项，第二十条"),
    ("mediation_end_notice", ORDER_20_FROM, ORDER_20_TO, 7, True, 0, "终止调解告知", ORDER_20 + "第二十一条第二款"),
    ("clue_verify", ORDER_20_FROM, ORDER_20_TO, 15, True, 15, "调解中发现违法线索的核查", ORDER_20 + "第二十三条"),
    ("report_case_decision", ORDER_20_FROM, ORDER_20_TO, 15, True, 15, "举报核查与立案决定",
     PENALTY + "第十八条（" + ORDER_20 + "第三十一条）"),
    ("complaint_accept", ORDER_121_FROM, None, 7, True, 0, "投诉受理决定", ORDER_121 + "第十五、十六条"),
    ("mediation_end", ORDER_121_FROM, None, 60, False, 0, "调解期限（鉴定时间不计入）", ORDER_121 + "第二十二、二十三条"),
    ("mediation_end_notice", ORDER_121_FROM, None, 7, True, 0, "终止调解告知", ORDER_121 + "第二十三条"),
    ("clue_verify", ORDER_121_FROM, None, 15, True, 15, "调解中发现违法线索的核查", ORDER_121 + "第二十七条"),
    ("report_case_decision", ORDER_121_FROM, None, 15, True, 15, "举报核查与立案决定", PENALTY + "第十八条"),
]
LABELS = {r[0]: r[6].split("（")[0] for r in RULES}
NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
         "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
         "Anti-Fascist 70th Day": "抗战胜利纪念日"}


def seed_rules() -> int:
    """Insert the rules of both regimes that are missing, and correct the text of those present; returns how many
    were added."""
    added = 0
    for code, start, end, days, working, ext, label, basis in RULES:
        rule = db.session.scalar(sa.select(DeadlineRule).where(DeadlineRule.code == code,
                                                               DeadlineRule.valid_from == start))
        if rule is None:
            db.session.add(DeadlineRule(code=code, valid_from=start, valid_to=end, days=days, working_days=working,
                                        extension_days=ext, label=label, basis=basis))
            added += 1
        elif (rule.label, rule.basis, rule.valid_to) != (label, basis, end):
            rule.label, rule.basis, rule.valid_to = label, basis, end
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
