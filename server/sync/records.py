"""How each kind of record travels to the field app, loaded in bulk and within the user's scope."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from schemas.checklist import ChecklistVersionSchema
from schemas.sync import SyncCarrierSchema, SyncInspectionSchema, SyncUnitSchema
from schemas.visit import TaskSchema
from server.carrier.models import Carrier
from server.checklist.models import ChecklistVersion
from server.checklist.service import county_templates, version_for_unit
from server.extensions import db
from server.inspection import service as inspections
from server.inspection.models import Inspection
from server.station.service import scope_clause
from server.unit.models import Unit, UnitYear
from server.visit.models import VisitTask


# Made once: building a schema (it deep-copies its fields) costs more than dumping a record with it.
UNIT, CARRIER, VERSION = SyncUnitSchema(), SyncCarrierSchema(), ChecklistVersionSchema()
TASK, INSPECTION = TaskSchema(), SyncInspectionSchema()


def _ints(ids):
    return [int(i) for i in ids]


def _units(user, ids):
    units = db.session.scalars(sa.select(Unit).where(Unit.id.in_(_ints(ids)),
                                                     scope_clause(user, Unit.station_id, Unit.county_id))).all()
    stages = {}
    for unit_id, year, stage in db.session.execute(
            sa.select(UnitYear.unit_id, UnitYear.year, UnitYear.stage).where(UnitYear.unit_id.in_([u.id for u in units]))):
        stages.setdefault(unit_id, {})[str(year)] = stage
    templates = county_templates(user.county_id)
    out = {}
    for u in units:
        u.stages = stages.get(u.id, {})
        version = version_for_unit(u.county_id, u.type, u.industry, templates)
        u.checklist_template_id = version.template_id if version else None
        out[str(u.id)] = UNIT.dump(u)
    return out


def _carriers(user, ids):
    q = (sa.select(Carrier).options(selectinload(Carrier.members))
         .where(Carrier.id.in_(_ints(ids)), scope_clause(user, Carrier.station_id, Carrier.county_id)))
    return {str(c.id): CARRIER.dump(c) for c in db.session.scalars(q)}


def _templates(user, ids):
    q = sa.select(ChecklistVersion).where(ChecklistVersion.id.in_(_ints(ids)),
                                          ChecklistVersion.county_id == user.county_id)
    return {str(v.id): VERSION.dump(v) for v in db.session.scalars(q)}


def _tasks(user, ids):
    q = sa.select(VisitTask).where(VisitTask.id.in_(_ints(ids)),
                                   scope_clause(user, VisitTask.station_id, VisitTask.county_id))
    if user.role == "inspector":
        q = q.where(sa.or_(VisitTask.assignee_id.is_(None), VisitTask.assignee_id == user.id))
    return {str(t.id): TASK.dump(t) for t in db.session.scalars(q.options(selectinload(VisitTask.unit)))}


def _inspections(user, ids):
    q = (sa.select(Inspection).options(selectinload(Inspection.rectifications), selectinload(Inspection.answers),
                                       selectinload(Inspection.inspector), selectinload(Inspection.supersedes))
         .where(Inspection.id.in_(_ints(ids)), scope_clause(user, Inspection.station_id, Inspection.county_id)))
    if user.role == "inspector":
        q = q.where(Inspection.inspector_id == user.id)
    rows = db.session.scalars(q).all()
    later = {i.supersedes_id: i for i in db.session.scalars(
        sa.select(Inspection).options(selectinload(Inspection.inspector), selectinload(Inspection.corrected_by))
        .where(Inspection.supersedes_id.in_([i.id for i in rows])))} if rows else {}
    out = {}
    for i in rows:
        i.correctable_until = inspections.correction_deadline(i)
        by = later.get(i.id)
        i.superseded_by = by and {"id": by.id, "client_id": by.client_id, "by": (by.corrected_by or by.inspector).name,
                                  "at": by.submitted_at.isoformat(), "reason": by.correction_reason or "",
                                  "conclusion": by.conclusion}
        out[str(i.id)] = INSPECTION.dump(i)
    return out


LOADERS = {"unit": _units, "carrier": _carriers, "template": _templates, "task": _tasks,
           "inspection": _inspections}


def load(user, entity: str, ids: list[str]) -> dict:
    """{id: record} for the ids of one entity that the user may see now."""
    loader = LOADERS.get(entity)
    return loader(user, ids) if loader else {}


def register(entity: str, loader) -> None:
    """Let another domain (signs, complaints) add its records to the pull."""
    LOADERS[entity] = loader
