"""A header value made fit to store (server.core.bounds.clean_header): every control character out, at most
`limit` characters — the same as dropping, one by one, each character that forbidden_chars names."""
from hypothesis import given
from hypothesis import strategies as st

from schemas.bounds import forbidden_chars
from server.core.bounds import clean_header


def _one_by_one(value: str, limit: int) -> str:
    return "".join(ch for ch in value[: limit * 2] if not forbidden_chars(ch))[:limit]


@given(value=st.text(st.characters(codec=None, exclude_categories=())), limit=st.integers(0, 300))
def test_clean_header_drops_what_no_field_accepts(value, limit):
    cleaned = clean_header(value, limit)
    assert cleaned == _one_by_one(value, limit)
    assert not forbidden_chars(cleaned) and len(cleaned) <= limit


def test_a_user_agent_with_nul_and_controls():
    assert clean_header("Mozilla/5.0\x00 (iPhone\x1b)\ud800\x7f", 120) == "Mozilla/5.0 (iPhone)"
    assert clean_header("微信" * 200, 120) == "微信" * 60
