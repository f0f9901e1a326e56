"""Visit tasks."""
from marshmallow import Schema, fields

from schemas.common import between, length, one_of

TASK_KINDS = ["post_evaluation", "service_visit", "rectification", "sign_check", "complaint_check"]


class TaskSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String(attribute="unit.name")
    station_id = fields.Integer()
    kind = fields.String()
    assignee_id = fields.Integer(allow_none=True)
    assignee_name = fields.String(attribute="assignee.name", allow_none=True)
    due_date = fields.Date()
    status = fields.String()
    note = fields.String()
    year = fields.Integer()
    source_inspection_id = fields.Integer(allow_none=True)
    done_inspection_id = fields.Integer(allow_none=True)


class TaskCreateSchema(Schema):
    unit_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=one_of(TASK_KINDS, "任务类型"))
    due_date = fields.Date(required=True)
    assignee_id = fields.Integer(allow_none=True, load_default=None)
    note = fields.String(load_default="", validate=length(max=500))


class BulkAssignSchema(Schema):
    kind = fields.String(required=True, validate=one_of(TASK_KINDS, "任务类型"))
    due_date = fields.Date(required=True)
    year = fields.Integer(required=True, validate=between(2000, 2100, "年份"))
    inspector_ids = fields.List(fields.Integer(), required=True, validate=length(1, 50))
    unit_ids = fields.List(fields.Integer(), validate=length(max=5000),
                           metadata={"description": "不填则为本所本年度已录入、尚未后评价的全部单位"})
    station_id = fields.Integer()
    note = fields.String(load_default="", validate=length(max=500))


class TaskUpdateSchema(Schema):
    assignee_id = fields.Integer()
    due_date = fields.Date()
    status = fields.String(validate=one_of(["cancelled"], "状态"))


class TaskQuerySchema(Schema):
    status = fields.String(load_default="open", validate=one_of(["open", "done", "cancelled"], "状态"))
    kind = fields.String(validate=one_of(TASK_KINDS, "任务类型"))
    assignee_id = fields.Integer()
