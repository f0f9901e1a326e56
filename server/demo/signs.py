"""Demo signs: one for every demo unit that has reached 标识发放 or 标识张贴 (the posted ones marked posted)."""
import sqlalchemy as sa
from flask import current_app

from server.extensions import db
from server.qrsign import payload
from server.signage.models import Sign, SignEvent
from server.signage.service import format_serial, serial_prefix
from server.station.models import County
from server.station.service import sign_valid_until
from server.unit.models import LifecycleEvent, Unit, UnitYear


def load_signs(county: County, year: int) -> int:
    """Issue the county's demo signs for the year directly (the units already stand past issuing), dated as
    their lifecycle steps, valid until the next year's post-evaluation deadline; the steps point at them."""
    prefix = serial_prefix(county.code, current_app.config.get("SIGN_SERIAL_PREFIX"))
    rows = db.session.execute(sa.select(Unit, UnitYear.stage).join(UnitYear, UnitYear.unit_id == Unit.id)
                              .where(Unit.county_id == county.id, UnitYear.year == year,
                                     UnitYear.stage.in_(["sign_issued", "sign_posted"]))
                              .order_by(Unit.station_id, Unit.id)).all()
    valid_until = sign_valid_until(county.id, year)
    for seq, (unit, stage) in enumerate(rows, start=1):
        steps = {e.to_stage: e for e in db.session.scalars(sa.select(LifecycleEvent).where(
            LifecycleEvent.unit_id == unit.id, LifecycleEvent.year == year))}
        issued, posted = steps["sign_issued"], steps.get("sign_posted")
        sign = Sign(county_id=county.id, station_id=unit.station_id, unit_id=unit.id, year=year, type=unit.type,
                    seq=seq, serial=format_serial(prefix, year, seq), token=payload.new_token(), status="issued",
                    issued_at=issued.at, print_count=1, posted_at=posted.at if posted else None,
                    valid_until=valid_until)
        db.session.add(sign)
        db.session.flush()
        issued.evidence_type, issued.evidence_id = "sign", sign.id
        db.session.add(SignEvent(sign_id=sign.id, action="issue", note="演示数据", at=issued.at))
        # Printed once already (print_count=1), as the app records it: 打印, 第1次.
        db.session.add(SignEvent(sign_id=sign.id, action="print", note="演示数据：第1次打印", at=issued.at))
        if posted is not None:
            posted.evidence_type, posted.evidence_id = "post", sign.id
            db.session.add(SignEvent(sign_id=sign.id, action="post", note="演示数据", at=posted.at))
    db.session.flush()
    return len(rows)
