"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

18 characters from the 31-character alphabet below (no I, O, Z, S, V): registration
authority (1), organisation type (1), administrative division (6 digits), organisation
code (9), and a check character over the first 17 with the weights 3^i mod 31.
python-stdnum's cn.uscc refuses valid codes whose first two characters are letters, so
the rule is kept here, whole and small.
"""
import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]
_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def normalise(code: str) -> str:
    """Upper-case with spaces and dashes removed, as people type it."""
    return re.sub(r"[\s\-]", "", code or "").upper()


def check_char(first17: str) -> str:
    """The check character for the first 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why a (normalised) code is not valid, in Chinese; None when it is."""
    if len(code) != 18:
        return "统一社会信用代码应为18位"
    if not _SHAPE.match(code):
        return "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V，第3至8位为数字）"
    if check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def is_valid(code: str) -> bool:
    """True when the code has the right shape and check character."""
    return problem(normalise(code)) is None
