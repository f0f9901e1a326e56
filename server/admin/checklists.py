"""Checklist templates ("1+X"): every version as published, and a county admin's edit that publishes a new one."""
from flask import flash, g, redirect, render_template, request, url_for

from schemas.checklist import ChecklistItemSchema
from server.admin.bp import bp
from server.admin.helpers import require_county
from server.checklist import service
from server.core.errors import DomainError

GROUPS = {"base": "基础项（八有八无）", "x": "行业项（X）"}
YES = {"是", "须", "需", "y", "yes", "true", "1", "√", "须说明", "须拍照"}
NO = {"否", "不", "n", "no", "false", "0", "×", ""}
COLUMNS = "编码 | 内容 | 分组(base/x) | 不符合须说明(是/否) | 不符合须拍照(是/否)"


def _flag(value: str, default: bool) -> bool | None:
    """是/否 (or y/n, 1/0); None when it is neither."""
    value = value.strip().lower()
    if value == "":
        return default
    return True if value in YES else False if value in NO else None


def item_line(item: dict) -> str:
    """One item as a line of the edit form."""
    yn = {True: "是", False: "否"}
    return " | ".join([item["code"], item["text"], item.get("group", "x"),
                       yn[bool(item.get("note_on_fail", True))], yn[bool(item.get("photo_on_fail", False))]])


def parse_items(text: str) -> tuple[list[dict], list[str]]:
    """The edit form's lines as items, and the problems of each bad line (numbered as the user sees them)."""
    items, problems = [], []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        cells = [c.strip() for c in raw.replace("｜", "|").split("|")]
        if len(cells) < 2 or len(cells) > 5:
            problems.append(f"第{n}行：应为“{COLUMNS}”，用竖线分隔")
            continue
        cells += [""] * (5 - len(cells))
        note, photo = _flag(cells[3], True), _flag(cells[4], False)
        if note is None or photo is None:
            problems.append(f"第{n}行：是否须说明、须拍照应填“是”或“否”")
            continue
        errors = ChecklistItemSchema().validate({"code": cells[0], "text": cells[1], "group": cells[2] or "x"})
        if errors:
            labels = {"code": "编码：", "text": "内容：", "group": "分组"}
            said = [v[0] if v[0].startswith(labels[k]) else f"{labels[k]}{v[0]}" for k, v in errors.items()]
            problems.append(f"第{n}行：" + "；".join(said))
            continue
        items.append({"code": cells[0], "text": cells[1], "group": cells[2] or "x",
                      "note_on_fail": note, "photo_on_fail": photo})
    return items, problems


@bp.get("/checklists")
def checklists():
    """The county's templates with every version; which ones inspections have answered."""
    templates = service.list_templates(g.user)
    in_use = {v.id for t in templates for v in t.versions if service.template_in_use(v.id)}
    return render_template("admin/checklists.html", templates=templates, in_use=in_use, GROUPS=GROUPS)


@bp.get("/checklists/versions/<int:version_id>")
def checklist_version(version_id: int):
    """One version's items exactly as published."""
    version = service.get_version(g.user, version_id)
    latest = service.latest_version(version.template)
    return render_template("admin/checklist_version.html", version=version, latest=latest,
                           in_use=service.template_in_use(version.id), GROUPS=GROUPS)


@bp.route("/checklists/<int:template_id>/edit", methods=["GET", "POST"])
def checklist_edit(template_id: int):
    """Edit a template's items as lines of text; saving publishes a new version, old ones stay."""
    require_county()
    template = service.get_template(g.user, template_id)
    latest = service.latest_version(template)
    if request.method == "GET":
        text = "\n".join(item_line(i) for i in latest.items)
        return render_form(template, latest, {"items": text, "note": ""}, [])
    text, note = request.form.get("items", ""), request.form.get("note", "").strip()
    items, problems = parse_items(text)
    if not problems and len(note) > 200:
        problems = ["版本说明不能超过200个字"]
    if not problems:
        try:
            version = service.publish_items(g.user, template.id, items, note)
        except DomainError as err:
            problems = [err.message]
        else:
            if version.id == latest.id:
                flash("检查项没有变化，未发布新版本", "ok")
            else:
                flash(f"已发布“{template.name}”第 {version.number} 版", "ok")
            return redirect(url_for("admin.checklist_version", version_id=version.id), 303)
    return render_form(template, latest, {"items": text, "note": note}, problems, 422)


def render_form(template, latest, values: dict, problems: list[str], status: int = 200):
    """The edit form page."""
    return render_template("admin/checklist_form.html", template=template, latest=latest, values=values,
                           problems=problems, columns=COLUMNS,
                           latest_in_use=service.template_in_use(latest.id)), status
