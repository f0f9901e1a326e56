"""flask units import / export."""
from pathlib import Path

import click
from flask.cli import AppGroup

from server.account.cli import as_admin
from server.core.errors import DomainError
from server.extensions import db
from server.unit import importer

units_cli = AppGroup("units", help="单位的导入与导出")


@units_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="以哪个管理员账号导入")
@click.option("--year", type=int, required=True, help="纳入哪一年度的培育库")
@click.option("--yes", is_flag=True, help="没有错误时直接导入，不再询问")
def import_units(path: Path, username: str, year: int, yes: bool):
    """Check a unit list (XLSX or CSV), show every bad row, and import it all or nothing."""
    user = as_admin(username)
    try:
        batch = importer.preview_import(user, path.name, path.read_bytes(), year)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    for p in batch.problems:
        click.echo(f"第{p['row']}行 {p['name']}：{'；'.join(p['messages'])}", err=True)
    if batch.problems:
        db.session.rollback()
        raise click.ClickException(f"有{len(batch.problems)}行错误，没有导入任何数据")
    click.echo(f"共{len(batch.rows)}行，均无错误")
    if not yes and not click.confirm("确认导入？"):
        db.session.rollback()
        raise click.ClickException("已取消，没有导入任何数据")
    try:
        count = importer.confirm_import(user, batch.id)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    click.echo(f"已导入{count}个单位")


@units_cli.command("export")
@click.option("--as", "username", required=True)
@click.option("--year", type=int, required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_units(username: str, year: int, out: Path):
    """Export the units an admin may see, with their stage in the year, to XLSX."""
    out.write_bytes(importer.export_units(as_admin(username), year))
    click.echo(f"已导出到 {out}")
