"""flask demo load."""
import click
from flask.cli import AppGroup

from server.demo import loader
from server.extensions import db

demo_cli = AppGroup("demo", help="演示数据")


@demo_cli.command("load")
def load_demo():
    """Load the demo data once; does nothing if it is already there."""
    if loader.is_loaded():
        click.echo("演示数据已存在，未重复导入。")
    else:
        accounts = loader.load()
        db.session.commit()
        click.echo(f"已导入演示数据：{len(accounts)}个账号。")
    click.echo(f"演示账号（密码均为 {loader.DEMO_PASSWORD}）：")
    click.echo("  admin                县局管理员（全县）")
    click.echo("  wuyun_admin          五云所管理员（其他所同理：<所代码>_admin）")
    click.echo("  wuyun_inspector      五云所执法人员（其他所同理：<所代码>_inspector）")
    click.echo("  lishui               丽水市局（只读：各县进度汇总）")
    click.echo("  zhejiang             浙江省局（只读：各县进度汇总）")
