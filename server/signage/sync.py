"""Signs in the field app's sync: the "sign_posted" change and signs in the pull. Registered at import."""
import sqlalchemy as sa

from schemas.sign import SignPostedSchema, SyncSignSchema
from server.extensions import db
from server.photo.service import missing_photos, record_uses
from server.signage import service
from server.signage.models import Sign
from server.station.service import scope_clause
from server.sync import handlers, records


POSTED, SIGN = SignPostedSchema(), SyncSignSchema()  # made once, used for every record


def sign_posted(user, data: dict, change_id: str) -> dict:
    """An inspector confirms the unit's sign of the year is on the wall (with a photo of it)."""
    data = POSTED.load(data)
    sign = service.mark_posted(user, data["unit_id"], data["year"], data["photo_sha256"], data["note"])
    shas = [data["photo_sha256"]] if data["photo_sha256"] else []
    record_uses(shas, "sign", sign.id, sign.station_id, sign.county_id)
    return {"record": {"type": "sign", "id": sign.id}, "missing_photos": sorted(missing_photos(shas))}


def load_signs(user, ids: list[str]) -> dict:
    """{id: sign} for the pull, limited to the user's scope."""
    q = sa.select(Sign).where(Sign.id.in_([int(i) for i in ids]),
                              scope_clause(user, Sign.station_id, Sign.county_id))
    return {str(s.id): SIGN.dump(s) for s in db.session.scalars(q)}


handlers.register("sign_posted", sign_posted)
records.register("sign", load_signs)
