"""/api/v1: units, their history and lifecycle."""
from flask import g

from schemas.unit import (EvaluationResultOutSchema, EvaluationResultSchema, StepBackSchema, TransitionSchema,
                          UnitCreateSchema, UnitFieldsSchema, UnitHistorySchema, UnitListSchema,
                          UnitQuerySchema, UnitSchema, UnitUpdateSchema, UnitYearSchema)
from server.core.blueprint import Blueprint
from server.dashboard.service import default_year
from server.unit import lifecycle, service

api_bp = Blueprint("units", __name__, url_prefix="/units", description="市场主体（单位）")


@api_bp.get("")
@api_bp.arguments(UnitQuerySchema, location="query")
@api_bp.response(200, UnitListSchema)
def list_units(args):
    """Search my units by name, code or address; filter by station, type and stage in a year."""
    args.setdefault("year", default_year(g.user))
    rows, total = service.search_units(g.user, **args)
    return {"items": [{"unit": u, "stage": s} for u, s in rows], "total": total,
            "page": args["page"], "per_page": args["per_page"]}


@api_bp.post("")
@api_bp.arguments(UnitCreateSchema)
@api_bp.response(201, UnitSchema)
def create_unit(data):
    """Register a unit; with a year it enters that year's cultivation pool."""
    year = data.pop("year", None)
    return service.create_unit(g.user, data, year=year)


@api_bp.get("/<int:unit_id>")
@api_bp.response(200, UnitSchema)
def get_unit(unit_id):
    """One unit."""
    return service.get_unit(g.user, unit_id)


@api_bp.patch("/<int:unit_id>")
@api_bp.arguments(UnitUpdateSchema(partial=tuple(UnitFieldsSchema._declared_fields)))
@api_bp.response(200, UnitSchema)
def update_unit(data, unit_id):
    """Edit a unit; `version` is the version the edit was based on (409 with the current unit if stale)."""
    version, note = data.pop("version"), data.pop("note", "")
    return service.update_unit(g.user, unit_id, data, base_version=version, note=note)


@api_bp.get("/<int:unit_id>/years")
@api_bp.response(200, UnitYearSchema(many=True))
def unit_years(unit_id):
    """The unit's stage in every year it was in the programme."""
    return service.get_unit(g.user, unit_id).years.all()


@api_bp.post("/<int:unit_id>/transitions")
@api_bp.arguments(TransitionSchema)
@api_bp.response(200, UnitYearSchema)
def transition(data, unit_id):
    """Move the unit one lifecycle step in a year, or remove it with a reason."""
    unit = service.get_unit(g.user, unit_id)
    return lifecycle.transition(g.user, unit, data["year"], data["to_stage"],
                                reason=data.get("reason"), note=data["note"])


@api_bp.post("/<int:unit_id>/evaluations")
@api_bp.arguments(EvaluationResultSchema)
@api_bp.response(201, EvaluationResultOutSchema)
def record_evaluation(data, unit_id):
    """Record a post-evaluation done outside the app with its evidence; a pass moves 系统录入 to 后评价通过."""
    unit = service.get_unit(g.user, unit_id)
    year = data.pop("year")
    return lifecycle.record_evaluation(g.user, unit, year, **data)


@api_bp.post("/<int:unit_id>/step-back")
@api_bp.arguments(StepBackSchema)
@api_bp.response(200, UnitYearSchema)
def step_back(data, unit_id):
    """County admins: step the unit back to an earlier stage with a reason (kept in the history)."""
    unit = service.get_unit(g.user, unit_id)
    return lifecycle.step_back(g.user, unit, data["year"], data["to_stage"], data["note"])


@api_bp.get("/<int:unit_id>/history")
@api_bp.response(200, UnitHistorySchema)
def history(unit_id):
    """Every change of the unit's profile and every lifecycle step."""
    unit = service.get_unit(g.user, unit_id)
    return {"changes": service.unit_history(g.user, unit_id), "lifecycle": lifecycle.lifecycle_events(unit)}
