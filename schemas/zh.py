"""Chinese messages for marshmallow's built-in field and schema errors.

marshmallow collects `default_error_messages` along each field class's MRO when a field
is made, so setting them once on the base classes gives every schema, ours and the
libraries', the same Chinese wording. Validators get their messages where they are used
(see schemas.common).
"""
from marshmallow import Schema, fields

MESSAGES = {
    fields.Field: {"required": "此项为必填项", "null": "此项不能为空", "validator_failed": "填写的值不正确"},
    fields.String: {"invalid": "应为文字", "invalid_utf8": "文字编码不正确"},
    fields.Number: {"invalid": "应为数字", "too_large": "数字过大"},
    fields.Integer: {"invalid": "应为整数", "not_integer": "应为整数"},
    fields.Float: {"special": "应为有效数字"},
    fields.Boolean: {"invalid": "应为是或否"},
    fields.Date: {"invalid": "日期格式不正确（应为YYYY-MM-DD）", "format": "日期格式不正确"},
    fields.DateTime: {"invalid": "时间格式不正确", "invalid_awareness": "时间须带时区",
                      "format": "时间格式不正确"},
    fields.List: {"invalid": "应为列表"},
    fields.Nested: {"type": "格式不正确"},
    fields.Dict: {"invalid": "应为对象"},
    fields.Email: {"invalid": "邮箱格式不正确"},
}

for cls, messages in MESSAGES.items():
    cls.default_error_messages = {**cls.default_error_messages, **messages}

Schema.error_messages = {**Schema.error_messages, "type": "请求内容格式不正确", "unknown": "不认识的字段"}
