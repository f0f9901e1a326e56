"""flask workdays seed / deadline."""

import click
from flask.cli import AppGroup

from server.extensions import db
from server.workday import seed, service

workdays_cli = AppGroup("workdays", help="工作日历与法定期限")


@workdays_cli.command("seed")
def seed_cmd():
    """Enter the holiday years the chinesecalendar package knows, and the deadline rules in force."""
    years = seed.seed_calendar()
    rules = seed.seed_rules()
    db.session.commit()
    click.echo(f"已录入节假日年份：{years[0]}–{years[-1]}" if years else "节假日安排已是最新")
    click.echo(f"新增期限规则{rules}条；已知节假日年份截至{max(service.known_years())}年")


@workdays_cli.command("deadline")
@click.argument("code")
@click.argument("start", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--extended", is_flag=True, help="经批准延长")
def deadline_cmd(code: str, start, extended: bool):
    """Print the due date of a period (e.g. complaint_accept 2026-09-29)."""
    try:
        d = service.deadline(code, start.date(), extended=extended)
    except service.Invalid as err:
        raise click.ClickException(err.message) from None
    click.echo(d.due.isoformat() + ("  ⚠ " + d.warning if d.uncertain else ""))
