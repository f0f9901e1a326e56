import pytest
from hypothesis import given, strategies as st
from stdnum.cn import uscc as stdnum_uscc

from server.core import uscc

# Real codes of public companies, and one whose first two characters are letters
# (a form python-stdnum's cn.uscc wrongly refuses).
VALID = ["91110000600037341L"]


@pytest.mark.parametrize("code", VALID)
def test_real_codes_are_valid(code):
    assert uscc.problem(code) is None


def test_letters_in_first_two_positions_are_allowed():
    first17 = "N2331122MA2H3K4L5"
    code = first17 + uscc.check_char(first17)
    assert uscc.is_valid(code)


def test_wrong_check_character_is_refused_in_chinese():
    code = VALID[0][:-1] + "K"
    assert uscc.problem(code) == "统一社会信用代码校验位不正确，请核对"


@pytest.mark.parametrize("code,why", [
    ("9111000060003734", "18位"),
    ("91110000600037341I", "不允许的字符"),
    ("911100A0600037341L", "不允许的字符"),
])
def test_shape_errors(code, why):
    assert why in uscc.problem(code)


@given(st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17).map(lambda s: "91" + s[2:]))
def test_check_character_agrees_with_python_stdnum_where_stdnum_is_right(first17):
    # stdnum is right for codes starting with digits; the division part must be digits too.
    first17 = first17[:2] + "331122" + first17[8:]
    assert stdnum_uscc.calc_check_digit(first17) == uscc.check_char(first17)


def test_normalise_accepts_spaces_dashes_and_lower_case():
    assert uscc.normalise(" 9111-0000 6000 3734 1l ") == "91110000600037341L"
