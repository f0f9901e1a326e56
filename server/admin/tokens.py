"""My devices: my API tokens (create, revoke) and my password."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_login import login_user

from schemas.account import PasswordChangeSchema
from server.account import service as accounts
from server.admin.bp import bp
from server.admin.forms import DeviceNameSchema
from server.admin.helpers import parse_form
from server.core.errors import DomainError


def render_page(status=200, *, plain=None, errors=None, values=None):
    """The devices page: my tokens, a new token shown once, the password form."""
    return render_template("admin/tokens.html", tokens=accounts.list_tokens(g.user, g.user.id),
                           plain=plain, errors=errors or {}, values=values or {}), status


@bp.get("/tokens")
def tokens():
    """My device tokens and the forms to add one and to change my password."""
    return render_page()


@bp.post("/tokens")
def token_create():
    """Issue a new token for one of my devices; its plain text is shown only on this response."""
    data, errors = parse_form(DeviceNameSchema(), request.form)
    if errors:
        return render_page(422, errors={f"token_{k}": v for k, v in errors.items()}, values=request.form)
    _, plain = accounts.issue_token(g.user, data["name"])
    return render_page(plain=plain)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """Revoke one of my tokens."""
    token = accounts.revoke_token(g.user, token_id)
    flash(f"已停用设备“{token.name}”", "ok")
    return redirect(url_for("admin.tokens"), 303)


@bp.post("/tokens/password")
def password_change():
    """Change my own password; this session stays logged in, all others end."""
    data, errors = parse_form(PasswordChangeSchema(), request.form)
    if not errors:
        try:
            accounts.change_own_password(g.user, data["old_password"], data["new_password"])
        except DomainError as err:
            errors = err.fields or {"_": [err.message]}
        else:
            login_user(g.user)  # the session id carries the epoch the change just bumped
            flash("密码已修改，其他已登录的浏览器需重新登录", "ok")
            return redirect(url_for("admin.tokens"), 303)
    return render_page(422, errors=errors)
