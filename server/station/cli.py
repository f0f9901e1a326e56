"""flask county init: a real county from its attachment table, without the demo."""
import json
import secrets

import click
from flask.cli import AppGroup

from server.core.errors import DomainError
from server.extensions import db
from server.station import setup

county_cli = AppGroup("county", help="县（市、区）设置")


@county_cli.command("init")
@click.option("--code", required=True, help="县代码（小写拼音，如 jinyun）")
@click.option("--name", required=True, help="县名称，如 缙云县")
@click.option("--authority", required=True, help="发证机关，如 缙云县市场监督管理局（印在标识上）")
@click.option("--year", type=int, required=True, help="目标所属年度")
@click.option("--stations", "stations_file", type=click.Path(exists=True, dir_okay=False), required=True,
              help="各所（分局）目标表（XLSX或CSV，附件表格式）")
@click.option("--checklist", "checklist_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="八有八无基本标准（JSON，格式同 checklist-base.json；不填用规划附带的标准）")
@click.option("--admin", "admin_username", default="admin", show_default=True, help="县局管理员用户名")
@click.option("--liaison", type=int, default=0, help="全县村级消费维权联络站目标数")
def init(code, name, authority, year, stations_file, checklist_file, admin_username, liaison):
    """Create the county, its stations and targets, the checklists and the county admin, all or nothing.
    The admin's password is read from FANGXIN_ADMIN_PASSWORD, else made and printed once."""
    import os
    from server.demo.loader import checklist_base
    with open(stations_file, "rb") as f:
        content = f.read()
    standard = json.load(open(checklist_file, encoding="utf-8")) if checklist_file else checklist_base()
    password = os.environ.get("FANGXIN_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    try:
        rows = setup.read_stations(stations_file, content)
        county = setup.init_county(code=code, name=name, authority=authority, year=year, stations=rows,
                                   standard=standard, admin_username=admin_username, admin_password=password,
                                   liaison=liaison)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    click.echo(f"已建立{county.name}：{len(rows)}个所（分局），{year}年度目标，检查表3张。")
    if not os.environ.get("FANGXIN_ADMIN_PASSWORD"):
        click.echo(f"县局管理员 {admin_username} 的初始密码（只显示这一次，登录后请修改）：{password}")
    else:
        click.echo(f"县局管理员 {admin_username} 的密码为 FANGXIN_ADMIN_PASSWORD 所设。")


region_cli = AppGroup("region", help="市局、省局（查看各县进度）")


def _done(fn, *args, **kwargs):
    try:
        out = fn(*args, **kwargs)
        db.session.commit()
        return out
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None


@region_cli.command("create")
@click.option("--code", required=True, help="代码（小写拼音，如 lishui）")
@click.option("--name", required=True, help="名称，如 丽水市市场监督管理局")
@click.option("--kind", type=click.Choice(["city", "province"]), required=True, help="city 市局 / province 省局")
@click.option("--parent", default=None, help="所属省局的代码（市局可填）")
def region_create(code, name, kind, parent):
    """Create a city or the province."""
    from server.station import regions
    region = _done(regions.create_region, code, name, kind, parent)
    click.echo(f"已建立{region.name}。")


@region_cli.command("place")
@click.argument("county_code")
@click.argument("city_code")
def region_place(county_code, city_code):
    """Put a county in a city."""
    from server.station import regions
    county = _done(regions.place_county, county_code, city_code)
    click.echo(f"{county.name}已归属该市局。")


@region_cli.command("user")
@click.option("--username", required=True)
@click.option("--name", required=True, help="姓名")
@click.option("--region", "region_code", required=True, help="市局或省局的代码")
@click.option("--phone", default="")
def region_user(username, name, region_code, phone):
    """A read-only account of a city or the province. The password is read from FANGXIN_ADMIN_PASSWORD,
    else made and printed once."""
    import os
    from server.station import regions
    password = os.environ.get("FANGXIN_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    _done(regions.create_region_user, username, name, region_code, password, phone)
    if os.environ.get("FANGXIN_ADMIN_PASSWORD"):
        click.echo(f"已建立账号 {username}，密码为 FANGXIN_ADMIN_PASSWORD 所设。")
    else:
        click.echo(f"已建立账号 {username}，初始密码（只显示这一次）：{password}")
