"""The national and provincial mediation success rates the plan compares a county's with, entered per year."""
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from server.complaint.models import MediationBenchmark
from server.core.clock import utcnow
from server.core.errors import Forbidden, Invalid
from server.extensions import db


def _percent(text, field: str, label: str) -> Decimal | None:
    text = ("" if text is None else str(text)).strip().rstrip("%")
    if not text:
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.1"))
    except InvalidOperation:
        value = None
    if value is None or not Decimal(0) <= value <= Decimal(100):
        msg = f"{label}应为0到100之间的百分数，如 62.5"
        raise Invalid(msg, fields={field: [msg]})
    return value


def set_benchmark(user, year, national, provincial) -> MediationBenchmark:
    """Enter (or correct) a year's national and provincial averages (percent, one decimal); county admins only."""
    if user.role != "county_admin":
        raise Forbidden("只有县局管理员可以录入全国、全省平均调解成功率")
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise Invalid("年份不正确", fields={"year": ["年份不正确"]})
    nat = _percent(national, "national", "全国平均调解成功率")
    prov = _percent(provincial, "provincial", "全省平均调解成功率")
    row = db.session.scalar(sa.select(MediationBenchmark).where(
        MediationBenchmark.county_id == user.county_id, MediationBenchmark.year == year))
    if row is None:
        row = MediationBenchmark(county_id=user.county_id, year=year)
        db.session.add(row)
    row.national, row.provincial, row.updated_by_id, row.updated_at = nat, prov, user.id, utcnow()
    db.session.flush()
    return row


def benchmark_for(county_id: int, year: int) -> MediationBenchmark | None:
    """The averages entered for the year, if any."""
    return db.session.scalar(sa.select(MediationBenchmark).where(
        MediationBenchmark.county_id == county_id, MediationBenchmark.year == year))


def compare(percent: float | None, bench: MediationBenchmark | None) -> list[str]:
    """["高于全国平均（60.0%）", "低于全省平均（75.0%）"] — what can be said; [] without figures."""
    out = []
    if percent is None or bench is None:
        return out
    for label, value in (("全国", bench.national), ("全省", bench.provincial)):
        if value is not None:
            value = float(value)
            word = "高于" if percent > value else ("等于" if percent == value else "低于")
            out.append(f"{word}{label}平均（{value:.1f}%）")
    return out
