"""The audit log in words: what kind of record, which field, which value — in Chinese, never a code.

`describe(entry, names)` turns one AuditLog row into [(field label, old text, new text)]; `names`
resolves ids of users, stations and units to their names (gathered once per page by service.py).
"""
from datetime import datetime

from server.core.clock import china_text
from server.account.models import ROLES
from server.complaint.models import OUTCOMES as COMPLAINT_OUTCOMES, STATUSES as COMPLAINT_STATUSES
from server.feedback.models import COMPLAINT_KINDS, EVALUATION_SOURCES
from server.finding.models import DECISIONS as FINDING_DECISIONS, SOURCES as FINDING_SOURCES
from server.inspection.models import CONCLUSIONS, RECTIFICATION_STATUSES, RESULTS
from server.job.models import KINDS as JOB_KINDS, STATUSES as JOB_STATUSES
from server.redblack.models import LIST_STATUSES, SIDES
from server.signage.models import ACTIONS as SIGN_ACTIONS, REVOKE_REASONS, STATUSES as SIGN_STATUSES
from server.station.models import TARGET_KINDS, UNIT_TYPES
from server.unit.models import BUSINESS_STATUSES, EVIDENCE_KINDS, REMOVAL_REASONS, STAGES, TRACKED_FIELDS
from server.visit.models import TASK_KINDS, TASK_STATUSES
from server.volunteer.models import ASSIGNMENT_STATUSES

ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}

ENTITIES = {
    "unit": "市场主体", "unit_year": "年度阶段", "lifecycle_event": "阶段变更", "unit_change": "主体信息变更",
    "unit_flag": "主体提示", "sign": "标识", "sign_event": "标识操作", "inspection": "检查记录",
    "inspection_answer": "检查项", "rectification": "整改要求", "visit_task": "走访任务", "complaint": "投诉举报",
    "complaint_step": "投诉处理步骤", "evaluation": "消费者评价", "user_account": "账号", "device_token": "设备",
    "station": "所（分局）", "county": "县（市、区）", "target": "年度目标", "carrier": "载体",
    "carrier_member": "载体成员", "checklist_template": "检查表", "checklist_version": "检查表版本",
    "photo": "照片", "photo_use": "照片使用", "import_batch": "导入批次", "bulletin": "月度通报",
    "lookback": "每周回头看", "patrol_day": "每日网上巡", "patrol_mark": "网上巡标记",
    "calendar_year": "节假日年度", "calendar_day": "节假日", "deadline_rule": "期限规则",
    "mediation_benchmark": "调解成功率参照", "finding": "评估问题", "sync_receipt": "同步回执", "login_attempt": "登录尝试",
    "volunteer_assignment": "消费义工暗访", "evaluation_result": "后评价结果登记", "job": "后台任务",
    "programme_year": "年度节点设置", "red_black_criterion": "红黑榜认定依据", "red_black_entry": "红黑榜单位",
    "red_black_list": "红黑榜", "region": "市局/省局", "rollup_snapshot": "进度汇总",
}
# Tables that are the log itself or its bookkeeping: never shown as records (tests/admin/test_audit_words.py).
INTERNAL = {"audit_log", "change_log", "sync_counter"}

FIELDS = {
    "name": "名称", "code": "代码", "uscc": "统一社会信用代码", "address": "地址", "lat": "纬度", "lng": "经度",
    "industry": "行业", "contact_name": "负责人", "contact_phone": "联系电话", "phone": "电话", "type": "类型",
    "return_days": "无理由退货天数", "return_exclusions": "不适用退货商品", "tags": "标签",
    "business_status": "经营状态", "station_id": "所（分局）", "county_id": "县（市、区）", "unit_id": "市场主体",
    "user_id": "操作人", "year": "年度", "stage": "阶段", "from_stage": "原阶段", "to_stage": "新阶段",
    "removal_reason": "移出原因", "reason": "原因", "note": "备注", "status": "状态", "kind": "类别",
    "serial": "编号", "issued_at": "发放时间", "issued_by": "发放人", "print_count": "打印次数",
    "posted_at": "张贴时间", "posted_by": "确认张贴人", "posted_photo_sha256": "张贴照片",
    "revoked_at": "撤销时间", "revoke_reason": "撤销原因", "replaced_by_id": "更换为", "action": "操作",
    "sign_id": "标识", "conclusion": "结论", "summary": "检查意见", "inspector_id": "检查人",
    "started_at": "开始时间", "ended_at": "结束时间", "submitted_at": "提交时间", "signer_name": "签字人",
    "signed_at": "签字时间", "task_id": "任务", "supersedes_id": "更正的记录", "correction_reason": "更正原因", "corrected_by_id": "更正人", "imported_by_id": "导入人", "result": "结果",
    "item_code": "检查项", "demand": "整改要求", "due_date": "期限", "closed_at": "办结时间",
    "assignee_id": "承办人", "done_at": "完成时间", "created_by_id": "创建人", "source": "来源",
    "description": "内容", "received_at": "收到时间", "stars": "星级", "comment": "评价内容",
    "username": "用户名", "role": "角色", "active": "启用", "count": "数量", "field": "字段",
    "old_value": "原值", "new_value": "新值", "resolved_at": "处理时间", "resolved_by_id": "处理人",
    "revoked_by_id": "停用人", "last_used_at": "最近使用", "month": "月份", "published": "已发布",
    "week_start": "周起始", "day": "日期", "is_workday": "工作日", "since_year": "起始年度",
    "leader_name": "负责人", "leader_phone": "负责人电话", "items": "项目", "number": "版本号",
    "national": "全国平均", "provincial": "全省平均", "complainant_name": "投诉人",
    "complainant_address": "投诉人地址", "outcome": "结果", "done_on": "办理日期", "accuracy_m": "定位精度（米）",
    "photos": "照片", "position": "序号", "filename": "文件名", "rows": "行数", "problems": "问题",
    "external_no": "工单号", "updated_by_id": "修改人", "at": "时间", "created_at": "创建时间",
    "finding_id": "评估问题", "problem": "问题描述", "pair_code": "八有八无", "found_on": "发现日期",
    "unit_name": "单位名称（原文）", "batch": "导入批次", "row_no": "行号", "decision": "处理决定",
    "decision_note": "处理理由", "decided_by_id": "处理人", "decided_at": "处理时间",
    "volunteer_id": "消费义工", "carrier_id": "载体", "visited_at": "暗访时间", "evaluation_id": "评价",
    "pair_stars": "八有八无分项星级",
    "unit_type": "适用类型", "template_id": "检查表", "photo_sha256": "照片", "accept_due": "受理期限",
    "decided_on": "决定日期", "extended": "已延长", "mediation_due": "调解期限", "appraisal_days": "检测鉴定天数",
    "clue_found_on": "发现线索日期", "clue_due": "线索核查期限", "clue_verified_on": "线索核查日期",
    "mediation_ended_on": "调解终止日期", "notice_due": "告知期限", "notified_on": "告知日期",
    "violation_confirmed": "查实违法", "deadline_uncertain": "期限待定", "clue_extended": "线索核查已延长",
    "report_paused_days": "举报期限中止天数", "clue_paused_days": "线索核查中止天数", "clock_from": "期限起算日",
    "merged_into_id": "并入", "complaint_id": "投诉举报", "authority": "机关名称", "region_id": "所属区域",
    "valid_from": "施行日期", "valid_to": "截止日期", "days": "天数", "working_days": "按工作日",
    "extension_days": "可延长天数", "label": "名称", "basis": "依据", "passed": "合格",
    "evaluated_on": "评价日期", "evidence_ref": "文书编号", "evidence_photo_sha256": "证据照片",
    "recorded_by": "登记人", "recorded_at": "登记时间", "gps_missing_reason": "未定位原因",
    "distance_m": "距单位位置（米）", "inspection_id": "检查记录", "params": "参数", "done": "已完成",
    "total": "总数", "error": "失败原因", "result_key": "结果文件", "result_name": "结果文件名",
    "result_type": "结果类型", "retry_of_id": "重试自", "finished_at": "完成时间", "beat_at": "最近进度",
    "evidence_type": "依据类型", "evidence_id": "依据记录", "success": "成功", "handled": "已处理",
    "item_key": "事项", "sha256": "照片", "size": "大小（字节）", "mime": "文件类型", "width": "宽",
    "height": "高", "uploaded_by": "上传人", "record_id": "记录", "entry_due": "系统录入节点",
    "evaluation_due": "后评价节点", "follow_up_task_id": "复查任务", "closed_by_inspection_id": "办结检查",
    "side": "榜", "criteria": "认定依据", "list_id": "红黑榜", "taken_off_at": "移出时间",
    "taken_off_reason": "移出理由", "taken_off_by": "移出决定人", "title": "标题", "period_start": "期间开始",
    "period_end": "期间结束", "created_by": "创建人", "approving_office": "审批机关", "approved_by": "审批人",
    "approved_at": "审批时间", "published_at": "发布时间", "parent_id": "上级区域", "made_at": "统计时间",
    "job_id": "后台任务", "valid_until": "有效期至", "change_id": "变更编号", "happened_at": "发生时间",
    "source_inspection_id": "来源检查", "done_inspection_id": "完成检查",
}

# Fields that say nothing to a person, or must not be shown.
HIDDEN = {"id", "version", "updated_at", "token", "token_hash", "password_hash", "session_epoch", "prefix",
          "content_hash", "address_hash", "signature_sha256", "signed_hash", "seq", "original_key", "thumb_key",
          "client_id", "template_version_id", "data", "changes"}

VALUES = {
    "stage": STAGES, "from_stage": STAGES, "to_stage": STAGES, "removal_reason": REMOVAL_REASONS,
    "business_status": BUSINESS_STATUSES, "role": ROLES, "conclusion": CONCLUSIONS, "result": RESULTS,
    "revoke_reason": REVOKE_REASONS,
}
BY_ENTITY = {  # the same field name means different things in different records
    ("sign", "status"): SIGN_STATUSES, ("sign", "type"): UNIT_TYPES, ("unit", "type"): UNIT_TYPES,
    ("sign_event", "action"): SIGN_ACTIONS, ("sign_event", "reason"): REVOKE_REASONS,
    ("lifecycle_event", "reason"): REMOVAL_REASONS, ("visit_task", "kind"): TASK_KINDS,
    ("visit_task", "status"): TASK_STATUSES, ("complaint", "kind"): COMPLAINT_KINDS,
    ("target", "kind"): TARGET_KINDS, ("unit_change", "field"): {**FIELDS, **TRACKED_FIELDS},
    ("rectification", "status"): RECTIFICATION_STATUSES,
    ("finding", "source"): FINDING_SOURCES, ("finding", "decision"): FINDING_DECISIONS,
    ("volunteer_assignment", "status"): ASSIGNMENT_STATUSES, ("evaluation", "source"): EVALUATION_SOURCES,
    ("inspection", "kind"): TASK_KINDS, ("red_black_list", "status"): LIST_STATUSES,
    ("red_black_entry", "side"): SIDES, ("red_black_criterion", "side"): SIDES, ("job", "kind"): JOB_KINDS,
    ("job", "status"): JOB_STATUSES, ("lifecycle_event", "evidence_type"): EVIDENCE_KINDS,
    ("checklist_template", "unit_type"): UNIT_TYPES, ("complaint", "outcome"): COMPLAINT_OUTCOMES,
    ("complaint", "status"): COMPLAINT_STATUSES,
}
# Ids of other records, shown as the kind of record and its number.
REFERENCES = {
    "supersedes_id": "检查记录", "inspection_id": "检查记录", "closed_by_inspection_id": "检查记录",
    "source_inspection_id": "检查记录", "done_inspection_id": "检查记录", "replaced_by_id": "标识", "sign_id": "标识",
    "task_id": "任务", "follow_up_task_id": "任务", "finding_id": "评估问题", "evaluation_id": "评价",
    "carrier_id": "载体", "list_id": "红黑榜", "complaint_id": "投诉举报", "merged_into_id": "投诉举报",
    "template_id": "检查表", "job_id": "后台任务", "retry_of_id": "后台任务", "evidence_id": "记录",
    "record_id": "记录", "region_id": "区域", "parent_id": "区域",
}
PEOPLE = {"user_id", "issued_by", "posted_by", "inspector_id", "assignee_id", "created_by_id",
          "resolved_by_id", "revoked_by_id", "updated_by_id", "decided_by_id", "volunteer_id", "corrected_by_id",
          "imported_by_id", "recorded_by", "uploaded_by", "created_by", "approved_by", "taken_off_by"}


def device_label(device: str, names: dict) -> str:
    """Where a change came from, short: "网页浏览器" for the admin pages (the browser's full
    identification stays in the log), "设备：<name>" for a field app's token (device "token:<id>")."""
    if not device:
        return ""
    if device.startswith("web:"):
        return "网页浏览器"
    if device.startswith("token:") and device[6:].isdigit():
        return "设备：" + names.get(("token", int(device[6:])), "已删除的设备")
    return "其他"


def entity_label(entity: str) -> str:
    """The kind of record in Chinese ("unit" → 市场主体); an unknown table is called 其他记录."""
    return ENTITIES.get(entity, "其他记录")


def _time(text: str) -> str:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) <= 10:
        return value.strftime("%Y-%m-%d")
    return china_text(value)  # stored UTC, shown in China time


def value_text(entity: str, field: str, value, names: dict) -> str:
    """One stored value as a person reads it: labels for codes, names for ids, China time for times."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    labels = BY_ENTITY.get((entity, field)) or VALUES.get(field)
    if labels is not None and isinstance(value, str):
        return labels.get(value, "其他")
    if field in PEOPLE:
        return names.get(("user", value), f"账号{value}")
    if field == "station_id":
        return names.get(("station", value), f"所{value}")
    if field == "unit_id":
        return names.get(("unit", value), f"主体{value}")
    if field == "county_id":
        return names.get(("county", value), f"县{value}")
    if field in REFERENCES and isinstance(value, int):
        return f"{REFERENCES[field]} #{value}"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        return _time(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) if all(not isinstance(v, (dict, list)) for v in value) \
            else f"{len(value)}项"
    if isinstance(value, dict):
        return f"{len(value)}项"
    return str(value)


def describe(entry, names: dict) -> list[tuple[str, str, str]]:
    """[(field, old, new)] of an audit entry: for an update each changed field old → new; for an insert
    the new values; for a delete the values it had. Hidden fields are left out."""
    out = []
    for field, change in (entry.changes or {}).items():
        if field in HIDDEN or field not in FIELDS:
            continue
        if entry.action == "update":
            old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
        elif entry.action == "delete":
            old, new = change, None
        else:
            old, new = None, change
        if entry.action == "insert" and new in (None, "", []):
            continue
        out.append((FIELDS[field], value_text(entry.entity, field, old, names) if entry.action != "insert" else "",
                    value_text(entry.entity, field, new, names) if entry.action != "delete" else ""))
    return out


def ids_to_name(entries) -> dict:
    """{("user"|"station"|"unit"|"county"|"token", id)} wanted to show these entries: the actors and referenced ids."""
    wanted = set()
    for e in entries:
        if e.user_id:
            wanted.add(("user", e.user_id))
        if (e.device or "").startswith("token:") and e.device[6:].isdigit():
            wanted.add(("token", int(e.device[6:])))
        for field, change in (e.changes or {}).items():
            values = change if isinstance(change, list) and e.action == "update" else [change]
            kind = "user" if field in PEOPLE else "station" if field == "station_id" else \
                "unit" if field == "unit_id" else "county" if field == "county_id" else None
            if kind:
                wanted.update((kind, v) for v in values if isinstance(v, int))
    return wanted
