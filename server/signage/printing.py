"""From a sign record to what the printer gets: a PNG, or one streamed PDF for a station's batch."""
import io
import os
from typing import Iterator

import sqlalchemy as sa
from flask import current_app

from server.core.errors import Invalid
from server.extensions import db
from server.qrsign import font as fonts
from server.qrsign import payload, render
from server.qrsign.pdf import StreamingPdf
from server.signage.models import SIGN_TITLES, Sign
from server.signage.state import printable
from server.unit.models import ENDING_STATUSES, Unit


def sign_url(sign: Sign) -> str:
    """The URL the sign's QR code carries."""
    return payload.build_url(current_app.config["PUBLIC_BASE_URL"], sign.token)


def promise_line(unit: Unit) -> str:
    """The promise printed under a no-reason-return unit's name."""
    if unit.type == "no_reason_return" and unit.return_days:
        return f"承诺线下购物{unit.return_days}天无理由退货"
    return ""


def spec_for(sign: Sign, unit: Unit | None = None) -> render.SignSpec:
    """What the sign says, as plain strings for the renderer."""
    unit = unit or sign.unit
    return render.SignSpec(title=SIGN_TITLES[sign.type], name=unit.name, year=sign.year, serial=sign.serial,
                           authority=current_app.config.get("ISSUING_AUTHORITY") or "缙云县市场监督管理局",
                           url=sign_url(sign), note=promise_line(unit))


def sign_fonts() -> tuple[fonts.FontRef, fonts.FontRef]:
    """(bold, regular) faces: SIGN_FONT (config or environment) for both, else found on the system."""
    setting = current_app.config.get("SIGN_FONT") or os.environ.get("SIGN_FONT")
    return fonts.find_font(setting, "bold"), fonts.find_font(setting, "regular")


def undrawable(name: str) -> list[str]:
    """The characters of a unit name that the sign's font cannot draw (emoji, rare symbols), each once;
    [] when no font is installed (the sign itself then says so)."""
    try:
        return fonts.missing_chars(sign_fonts()[0], name)
    except fonts.FontError:
        return []


def render_png(sign: Sign) -> bytes:
    """One sign in force as a 300-DPI PNG; Invalid (422) for a revoked or replaced one (it must not be
    printed), or naming the characters its font cannot draw."""
    if not printable(sign):
        raise Invalid(f"标识 {sign.serial} 已撤销或已更换，不能生成或打印")
    bold, regular = sign_fonts()
    try:
        return render.to_png(render.draw_sign(spec_for(sign), bold, regular))
    except fonts.FontError as err:
        raise Invalid(err.message) from None


def batch_specs(station_id: int, year: int, type: str | None = None) -> list[render.SignSpec]:
    """The specs of a station's signs in force for a year (and type), by serial; checked before any page."""
    q = (sa.select(Sign, Unit).join(Unit, Unit.id == Sign.unit_id)
         .where(Sign.station_id == station_id, Sign.year == year, Sign.status == "issued",
                Unit.business_status.not_in(list(ENDING_STATUSES))).order_by(Sign.seq))
    if type:
        q = q.where(Sign.type == type)
    specs = [spec_for(s, u) for s, u in db.session.execute(q)]
    bold, regular = sign_fonts()
    for spec in specs:  # fail before the first page rather than halfway through a long batch
        fonts.check_coverage(bold, spec.title, spec.name, spec.authority, spec.note)
    return specs


def pdf_chunks(specs: list[render.SignSpec], bold=None, regular=None) -> Iterator[bytes]:
    """The batch PDF as byte chunks, one page at a time: memory stays flat whatever the count."""
    if bold is None:
        bold, regular = sign_fonts()
    buf = io.BytesIO()
    pdf = StreamingPdf(buf)
    for spec in specs:
        img = render.draw_sign(spec, bold, regular)
        pdf.add_rgb(img.tobytes(), *img.size)
        yield _drain(buf)
    pdf.close()
    yield _drain(buf)


def _drain(buf: io.BytesIO) -> bytes:
    data = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return data


def write_pdf(specs: list[render.SignSpec], out) -> int:
    """Write the batch PDF to a binary file; returns the number of pages."""
    for chunk in pdf_chunks(specs):
        out.write(chunk)
    return len(specs)
