"""What the command-line tools share about accounts: acting as a named admin."""
import click
import sqlalchemy as sa

from server.account.models import ADMIN_ROLES, User
from server.core.context import Actor, reset_actor, set_actor
from server.extensions import db


def as_admin(username: str) -> User:
    """The admin account a command acts as (its writes are audited under it); a clear error otherwise."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or user.role not in ADMIN_ROLES or not user.active:
        raise click.ClickException(f"找不到管理员账号“{username}”")
    token = set_actor(Actor(user.id, "cli"))
    # For this command only: a command run in-process (tests, CliRunner) must not leave its admin acting after it.
    click.get_current_context().call_on_close(lambda: reset_actor(token))
    return user
