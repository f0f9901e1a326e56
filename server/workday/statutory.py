"""The public holidays fixed by 《全国年节及纪念日放假办法》 (as revised in 2024, from 2025), for a year
whose State Council arrangement (with its 调休) has not been entered yet.

Art. 2: 元旦 1 January; 春节 农历除夕 and 正月初一 to 初三; 清明节 the solar term; 劳动节 1–2 May;
端午节 农历五月初五; 中秋节 农历八月十五; 国庆节 1–3 October. Only these days are known in advance:
the bridging days and the weekend days worked (调休) are published each year, so a deadline that
rests on this fallback stays provisional (⚠) until the year is entered.
"""
from datetime import date, timedelta
from functools import lru_cache

from lunardate import LunarDate


def _lunar(year: int, month: int, day: int) -> date:
    return LunarDate(year, month, day).to_solar_date()


@lru_cache(maxsize=64)
def fixed_holidays(year: int) -> dict[date, str]:
    """{day: name} of the statutory public holidays of a Gregorian year (13 days)."""
    from chinese_calendar import get_solar_terms
    days = {date(year, 1, 1): "元旦", date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节"}
    new_year = _lunar(year, 1, 1)
    for i in range(-1, 3):  # 除夕, 初一–初三
        days[new_year + timedelta(days=i)] = "春节"
    qingming = [d for d, name in get_solar_terms(date(year, 4, 1), date(year, 4, 10)) if name == "清明"]
    days.update({d: "清明节" for d in qingming})
    days[_lunar(year, 5, 5)] = "端午节"
    days[_lunar(year, 8, 15)] = "中秋节"
    days.update({date(year, 10, i): "国庆节" for i in (1, 2, 3)})
    return {d: name for d, name in days.items() if d.year == year}
