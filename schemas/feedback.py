"""The public page's forms: a consumer's evaluation and complaint."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.common import between, length, one_of

POSITIVE_TAGS = ["服务好", "价格公道", "质量可靠", "退换方便", "环境整洁"]
NEGATIVE_TAGS = ["态度差", "价格不实", "质量问题", "退换困难", "环境脏乱"]
COMPLAINT_KINDS = ["complaint", "report"]
# Mainland mobile, or a landline with area code; digits and one optional dash.
CN_PHONE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"


class EvaluationFormSchema(Schema):
    """1–5 stars, optional stars per 八有八无 pair, tags from the fixed list, an optional comment."""

    stars = fields.Integer(required=True, validate=between(1, 5, "星级"))
    # Stars per 八有八无 pair, optional ({pair code: 1–5}); the codes are checked against the county's standard.
    pair_stars = fields.Dict(keys=fields.String(validate=length(max=40)),
                             values=fields.Integer(validate=between(1, 5, "分项星级")), load_default=dict)
    tags = fields.List(fields.String(validate=one_of(POSITIVE_TAGS + NEGATIVE_TAGS, "标签")), load_default=list,
                       validate=length(max=10))
    comment = fields.String(load_default="", validate=length(max=500))


class ComplaintFormSchema(Schema):
    """A complaint with what SAMR Order No. 121 Art. 10 asks for — the complainant's name, telephone and
    address, the demand, and the facts of the dispute — or a report (the facts and a telephone; name and
    address optional). The photo comes as a file beside it."""

    kind = fields.String(load_default="complaint", validate=one_of(COMPLAINT_KINDS, "类型"))
    complainant_name = fields.String(load_default="", validate=length(max=60))
    phone = fields.String(required=True, validate=validate.Regexp(
        CN_PHONE, error="请填写11位手机号或带区号的固定电话"))
    complainant_address = fields.String(load_default="", validate=length(max=200))
    demand = fields.String(load_default="", validate=length(max=500))
    description = fields.String(required=True, validate=length(5, 1000))

    @validates_schema
    def _article_10(self, data, **kwargs):
        if data.get("kind", "complaint") != "complaint":
            return
        missing = {"complainant_name": "请填写您的姓名（投诉须实名，仅处理人员可见）",
                   "complainant_address": "请填写通讯地址（用于送达受理、调解等告知）",
                   "demand": "请写明您的投诉请求（如退货退款、赔偿、修理）"}
        errors = {k: [msg] for k, msg in missing.items() if not (data.get(k) or "").strip()}
        if errors:
            raise ValidationError(errors)
