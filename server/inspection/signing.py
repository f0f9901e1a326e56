"""What the owner signs: the content of an inspection in one canonical form, and its SHA-256.

The field app shows the owner the conclusion, the findings and the demands, and the signature covers
the hash of this form; any later change makes the hash differ, so the app clears the signature and the
server refuses a record whose content no longer matches what was signed (issue 18, item 1).

Format, version 1 — a JSON array, no spaces, non-ASCII characters as they are (UTF-8), exactly as
JavaScript's JSON.stringify writes it (static/pwa/js/records.js, signedContent, builds the same):

    [1, unit_id, conclusion, [[item_code, result, note], …in the order sent], summary,
     [[item_code or null, demand, due_date "YYYY-MM-DD"], …], signer_name]
"""
import hashlib
import json

FORMAT = 1


def signed_content(data: dict) -> str:
    """The canonical text of a submitted inspection's signed content (data as loaded by the schema)."""
    rects = data.get("rectifications") or []
    content = [FORMAT, data["unit_id"], data["conclusion"],
               [[a["item_code"], a["result"], a.get("note") or ""] for a in data["answers"]],
               data.get("summary") or "",
               [[r.get("item_code"), r["demand"], _day(r["due_date"])] for r in rects],
               data.get("signer_name") or ""]
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def content_hash(data: dict) -> str:
    """SHA-256 (hex) of signed_content(data), the value the field app stores as signed_hash."""
    return hashlib.sha256(signed_content(data).encode("utf-8", "surrogatepass")).hexdigest()


def _day(value) -> str:
    return value if isinstance(value, str) else value.isoformat()
