"""flask integrity check [--year Y]: list every contradiction; exit 1 if there is one."""
import sys

import click
from flask.cli import AppGroup

from server.integrity.service import CHECKS, check

integrity_cli = AppGroup("integrity", help="数据一致性检查")


@integrity_cli.command("check")
@click.option("--year", type=int, default=None, help="只检查该年度（默认全部年度）")
def check_cmd(year: int | None):
    """List every contradiction between stages, evidence, signs, business status, station and counts."""
    problems = check(year=year)
    for p in problems:
        click.echo(p.text())
    if problems:
        by = {}
        for p in problems:
            by[p.check] = by.get(p.check, 0) + 1
        click.echo("共发现 %d 处不一致：%s" % (len(problems), "；".join(f"{CHECKS[k]} {n}处" for k, n in by.items())))
        sys.exit(1)
    click.echo("未发现不一致。" + (f"（{year}年度）" if year else ""))
