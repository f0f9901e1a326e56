"""Masking personal data for those who may see a county's numbers but not its people (a city or the
province): a person's name keeps its first character (张三 → 张*, 欧阳明 → 欧**), a phone number its first
three and last four digits (13812341234 → 138****1234). Units' business names are public (they are on the
signs) and are not masked."""
import re

_DIGITS = re.compile(r"\d")


def mask_name(name: str | None) -> str:
    """A person's name with all but the first character replaced by *; "" for none."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str:
    """A phone number with its middle digits replaced by *: the first three and last four digits stay when it
    has at least 8 digits, else only the last two; separators are dropped; "" for none."""
    digits = "".join(_DIGITS.findall(phone or ""))
    if not digits:
        return ""
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(1, len(digits) - 2) + digits[-2:]
