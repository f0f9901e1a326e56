"""Checklist templates: the base standard, industry items, versions that never change once published."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.account.service import require_admin
from server.checklist.models import ChecklistTemplate, ChecklistVersion
from server.core.changelog import log_many
from server.core.errors import Forbidden, Invalid, NotFound
from server.extensions import db


def base_items(standard: dict) -> list[dict]:
    """The sixteen items of 八有八无: each pair's 有 and 无, in the standard's order."""
    items = []
    for pair in standard["items"]:
        for kind in ("have", "have_not"):
            items.append({"code": f"{pair['code']}.{kind}", "text": pair[kind], "group": "base",
                          "note_on_fail": True, "photo_on_fail": False})
    return items


# The "X" of 1+X for the two unit types the plan names, added to the base 八有八无 (plan §2).
X_ITEMS = {
    "no_reason_return": ("无理由退货单位（1+X）", [
        {"code": "x.return_notice", "text": "店堂显著位置公示无理由退货承诺及退货期限", "group": "x",
         "note_on_fail": True, "photo_on_fail": True},
        {"code": "x.return_exclusions", "text": "不适用无理由退货的商品已明示", "group": "x",
         "note_on_fail": True, "photo_on_fail": False},
        {"code": "x.return_ledger", "text": "建立退货台账，退货流程顺畅", "group": "x",
         "note_on_fail": True, "photo_on_fail": False},
    ]),
    "factory": ("放心工厂（1+X）", [
        {"code": "x.quality_system", "text": "质量管理制度健全，出厂检验记录完整", "group": "x",
         "note_on_fail": True, "photo_on_fail": True},
        {"code": "x.open_factory", "text": "开放参观或透明车间展示", "group": "x",
         "note_on_fail": True, "photo_on_fail": False},
    ]),
}


def create_standard_templates(county_id: int, standard: dict, user_id: int | None = None) -> list[ChecklistTemplate]:
    """A new county's checklists: the base 八有八无 (`standard`, the shape of checklist-base.json) for every
    type, and base + X for no-reason-return units and trusted factories. Later versions are made on the
    检查表 page."""
    base = base_items(standard)
    made = [create_template(county_id, "base", "八有八无基本标准", None, base, user_id)]
    for unit_type, (name, extra) in X_ITEMS.items():
        made.append(create_template(county_id, unit_type, name, unit_type, base + extra, user_id))
    return made


def create_template(county_id: int, code: str, name: str, unit_type: str | None, items: list[dict],
                    user_id: int | None = None, industry: str | None = None) -> ChecklistTemplate:
    """A template with its first version."""
    template = ChecklistTemplate(county_id=county_id, code=code, name=name, unit_type=unit_type,
                                 industry=industry or None)
    db.session.add(template)
    db.session.flush()
    db.session.add(ChecklistVersion(template_id=template.id, county_id=county_id, number=1,
                                    items=items, created_by_id=user_id, note="初始版本"))
    db.session.flush()
    # Which template a unit uses may have changed: devices hear of the county's units again.
    from server.unit.models import Unit
    log_many(db.session, "unit", db.session.execute(
        sa.select(Unit.id, Unit.county_id, Unit.station_id).where(Unit.county_id == county_id)).all())
    return template


def list_templates(user) -> list[ChecklistTemplate]:
    """The county's templates."""
    return db.session.scalars(sa.select(ChecklistTemplate).where(ChecklistTemplate.county_id == user.county_id)
                              .order_by(ChecklistTemplate.id)).all()


def get_template(user, template_id: int) -> ChecklistTemplate:
    """One template of the user's county."""
    t = db.session.get(ChecklistTemplate, template_id)
    if t is None or t.county_id != user.county_id:
        raise NotFound("找不到该检查表")
    return t


def latest_version(template: ChecklistTemplate) -> ChecklistVersion:
    """The version new inspections use."""
    return template.versions[-1]


def get_version(user, version_id: int) -> ChecklistVersion:
    """A version of the user's county, as it was published."""
    v = db.session.get(ChecklistVersion, version_id)
    if v is None or v.county_id != user.county_id:
        raise NotFound("找不到该检查表版本")
    return v


def version_for_unit(county_id: int, unit_type: str, industry: str = "",
                     templates: list[ChecklistTemplate] | None = None) -> ChecklistVersion | None:
    """The latest version of the most specific template: the unit's industry, else its type, else the base."""
    if templates is None:
        templates = county_templates(county_id)

    def rank(t):
        if t.industry:
            return 0 if t.industry == industry else None
        if t.unit_type:
            return 1 if t.unit_type == unit_type else None
        return 2
    fitting = sorted((rank(t), t.id, t) for t in templates if rank(t) is not None)
    return latest_version(fitting[0][2]) if fitting else None


def county_templates(county_id: int) -> list[ChecklistTemplate]:
    """Every template of a county with its versions loaded, for choosing many units' checklists at once."""
    return db.session.scalars(sa.select(ChecklistTemplate).options(selectinload(ChecklistTemplate.versions))
                              .where(ChecklistTemplate.county_id == county_id)).all()


def publish_items(user, template_id: int, items: list[dict], note: str = "") -> ChecklistVersion:
    """Publish a new version of a template's items (county admins). Earlier versions stay as they were."""
    require_admin(user)
    if user.role != "county_admin":
        raise Forbidden("只有县局管理员可以修改检查表")
    template = get_template(user, template_id)
    codes = [i["code"] for i in items]
    if len(set(codes)) != len(codes):
        raise Invalid("检查项编码不能重复", fields={"items": ["检查项编码不能重复"]})
    if not items:
        raise Invalid("检查表至少要有一项", fields={"items": ["检查表至少要有一项"]})
    current = latest_version(template)
    if current.items == items:
        return current
    version = ChecklistVersion(template_id=template.id, county_id=template.county_id, number=current.number + 1,
                               items=items, note=note[:200], created_by_id=user.id)
    db.session.add(version)
    db.session.flush()
    return version


def template_in_use(version_id: int) -> bool:
    """True when an inspection answered this version."""
    from server.inspection.models import Inspection
    return db.session.scalar(sa.select(sa.exists().where(Inspection.template_version_id == version_id)))


def base_pairs(county_id: int) -> dict:
    """{pair code: (有 text, 无 text)} of the county's base 八有八无 checklist (its latest version), in the
    standard's order; {} for a county without one. The eight pairs findings name and evaluations rate."""
    base = next((t for t in county_templates(county_id) if not t.unit_type and not t.industry), None)
    pairs = {}
    for item in (latest_version(base).items if base else []):
        code, _, side = item["code"].partition(".")
        if item.get("group") == "base" and side in ("have", "have_not"):
            pairs.setdefault(code, ["", ""])[side == "have_not"] = item["text"]
    return {k: tuple(v) for k, v in pairs.items()}
