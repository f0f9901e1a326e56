"""Reading a State Council holiday notice typed as lines: "2027-01-01 元旦"."""
from datetime import date


def parse_days(text: str) -> tuple[list[tuple[date, str]], list[str]]:
    """[(day, name)] from lines "YYYY-MM-DD name" (a range "YYYY-MM-DD~YYYY-MM-DD name" too), and errors."""
    days, errors = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, _, name = line.partition(" ")
        try:
            first, _, last = head.partition("~")
            a = date.fromisoformat(first)
            b = date.fromisoformat(last) if last else a
        except ValueError:
            errors.append(f"第{n}行日期格式不正确：{line}（应为 2027-01-01 元旦）")
            continue
        if b < a or (b - a).days > 14:
            errors.append(f"第{n}行日期范围不正确：{line}")
            continue
        days += [(date.fromordinal(d), name.strip()) for d in range(a.toordinal(), b.toordinal() + 1)]
    return days, errors
