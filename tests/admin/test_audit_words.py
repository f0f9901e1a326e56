"""The audit trail in words for every record the system keeps: each table has its Chinese name, each column a label
or a reason to be hidden, so a new table or column cannot reach the 操作记录 page as a code or silently vanish."""
import server.models  # noqa: F401  (every table)
from server.audit import words
from server.extensions import db


def test_every_table_and_column_has_words():
    missing = [t.name for t in db.metadata.tables.values() if t.name not in words.ENTITIES | dict.fromkeys(words.INTERNAL)]
    assert not missing, f"tables without a Chinese name in server/audit/words.py ENTITIES: {missing}"
    unlabeled = sorted({f"{t.name}.{c.name}" for t in db.metadata.tables.values() if t.name not in words.INTERNAL
                        for c in t.columns if c.name not in words.FIELDS and c.name not in words.HIDDEN})
    assert not unlabeled, f"columns without a label (FIELDS) or a place in HIDDEN: {unlabeled}"


def test_codes_ids_and_references_in_words():
    names = {("county", 1): "缙云县", ("user", 2): "五云所管理员"}
    assert words.value_text("inspection", "kind", "post_evaluation", names) == "后评价"
    assert words.value_text("inspection", "county_id", 1, names) == "缙云县"
    assert words.value_text("inspection", "corrected_by_id", 2, names) == "五云所管理员"
    assert words.value_text("inspection", "supersedes_id", 7, names) == "检查记录 #7"
    assert words.value_text("red_black_list", "status", "draft", names) == "草稿"
    assert words.value_text("red_black_entry", "side", "black", names) == "黑榜"
    assert words.value_text("complaint", "status", "accepted", names) == "调解中"
    assert words.entity_label("red_black_entry") == "红黑榜单位"
