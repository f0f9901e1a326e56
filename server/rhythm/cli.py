"""flask bulletin YYYY-MM --out FILE.xlsx|.pdf"""
from pathlib import Path

import click
from flask.cli import with_appcontext
import sqlalchemy as sa

from server.account.models import User
from server.core.context import Actor, reset_actor, set_actor
from server.core.errors import DomainError
from server.extensions import db
from server.rhythm import bulletin
from server.rhythm.export import bulletin_pdf, bulletin_xlsx


@click.command("bulletin")
@with_appcontext
@click.argument("month")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件：.xlsx 或 .pdf")
@click.option("--as", "username", default="admin", show_default=True, help="以哪个县局管理员账号生成")
def bulletin_cli(month: str, out: Path, username: str):
    """Generate and keep the month's bulletin, and write it as XLSX or PDF."""
    if out.suffix not in (".xlsx", ".pdf"):
        raise click.ClickException("输出文件须为 .xlsx 或 .pdf")
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"找不到账号“{username}”")
    token = set_actor(Actor(user.id, "cli"))
    click.get_current_context().call_on_close(lambda: reset_actor(token))  # this command only
    try:
        record = bulletin.generate(user, month)
        db.session.commit()
    except DomainError as err:
        raise click.ClickException(err.message) from None
    out.write_bytes(bulletin_xlsx(record) if out.suffix == ".xlsx" else bulletin_pdf(record))
    click.echo(f"已生成{month}月度通报：{out}")
