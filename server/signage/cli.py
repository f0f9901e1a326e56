"""flask signs render SERIAL --out FILE.png · flask signs print --station CODE --year YEAR --out FILE.pdf"""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from server.account.cli import as_admin
from server.core.errors import DomainError
from server.extensions import db
from server.qrsign.font import FontError
from server.signage import printing, service
from server.station.models import Station

signs_cli = AppGroup("signs", help="标识的生成与打印")


@signs_cli.command("render")
@click.argument("serial")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="输出的PNG文件")
def render_cmd(serial: str, out: str):
    """Render one sign (by serial) as a 300-DPI PNG."""
    sign = service.get_by_serial(serial)
    if sign is None:
        raise click.ClickException(f"找不到编号为 {serial} 的标识")
    try:
        data = printing.render_png(sign)
    except (FontError, DomainError) as err:
        raise click.ClickException(err.message) from None
    with open(out, "wb") as f:
        f.write(data)
    click.echo(f"{sign.serial} → {out}")


@signs_cli.command("print")
@click.option("--station", "code", required=True, help="所（分局）代码，如 wuyun")
@click.option("--year", required=True, type=int)
@click.option("--type", "type_", type=click.Choice(["general", "no_reason_return", "factory"]), default=None)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="输出的PDF文件")
@click.option("--as", "username", default="admin", show_default=True, help="以哪个管理员账号打印（计入打印次数）")
def print_cmd(code: str, year: int, type_: str | None, out: str, username: str):
    """Print a station's signs in force for a year (and type) as one PDF, A5, one sign a page; each sign's
    print is counted (打印, then 补打) as on the signs page, once the PDF is written."""
    user = as_admin(username)
    station = db.session.scalar(sa.select(Station).where(Station.code == code))
    if station is None:
        raise click.ClickException(f"找不到代码为 {code} 的所（分局）")
    try:
        # Counted first (it refuses another station's admin), committed only once the PDF is written.
        service.record_batch_print(user, station.id, year, type_)
        specs = printing.batch_specs(station.id, year, type_)
        if not specs:
            raise click.ClickException("没有可打印的标识")
        with open(out, "wb") as f:
            n = printing.write_pdf(specs, f)
        db.session.commit()
    except (FontError, DomainError) as err:
        raise click.ClickException(err.message) from None
    click.echo(f"{station.name} {year}年度 {n} 张 → {out}")
