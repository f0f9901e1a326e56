"""China time from one helper (server/core/clock.py): stored naive UTC ↔ China wall time and days."""
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.core import clock

INSTANTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31))


@given(INSTANTS)
def test_a_stored_time_falls_in_its_china_day_and_comes_back(t):
    day = clock.china_date(t)
    assert clock.china_midnight(day) <= t < clock.china_midnight(day + timedelta(days=1))
    assert clock.from_china(clock.china_time(t)) == t
    assert clock.china_time(t) - t == timedelta(hours=8)  # no daylight saving in China since 1991


def test_the_day_turns_at_16_utc():
    assert clock.china_date(datetime(2023, 9, 1, 15, 59)) == date(2023, 9, 1)
    assert clock.china_date(datetime(2023, 9, 1, 16, 0)) == date(2023, 9, 2)
    assert clock.china_midnight(date(2024, 1, 1)) == datetime(2023, 12, 31, 16, 0)
    assert clock.china_text(datetime(2023, 12, 31, 16, 5)) == "2024-01-01 00:05"
    assert clock.china_text(date(2023, 9, 1), "%Y年%m月%d日") == "2023年09月01日"  # a date is a China day already
    assert clock.china_text(None) == ""
