"""Checklist templates and versions."""
from marshmallow import Schema, fields

from schemas.common import length, one_of

ITEM_GROUPS = ["base", "x"]


class ChecklistItemSchema(Schema):
    code = fields.String(required=True, validate=length(1, 40))
    text = fields.String(required=True, validate=length(1, 200))
    group = fields.String(load_default="x", validate=one_of(ITEM_GROUPS, "分组"))
    note_on_fail = fields.Boolean(load_default=True, metadata={"description": "不符合时须填写说明"})
    photo_on_fail = fields.Boolean(load_default=False, metadata={"description": "不符合时须拍照"})


class ChecklistVersionSchema(Schema):
    id = fields.Integer()
    template_id = fields.Integer()
    number = fields.Integer()
    items = fields.List(fields.Nested(ChecklistItemSchema))
    note = fields.String()
    created_at = fields.DateTime()
    template_name = fields.String(attribute="template.name")
    unit_type = fields.String(attribute="template.unit_type", allow_none=True)
    industry = fields.String(attribute="template.industry", allow_none=True)


class ChecklistVersionSummarySchema(Schema):
    id = fields.Integer()
    number = fields.Integer()
    note = fields.String()
    created_at = fields.DateTime()


class ChecklistTemplateSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit_type = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    versions = fields.List(fields.Nested(ChecklistVersionSummarySchema))


class PublishItemsSchema(Schema):
    items = fields.List(fields.Nested(ChecklistItemSchema), required=True, validate=length(1, 100))
    note = fields.String(load_default="", validate=length(max=200))
