"""Accounts: county admins manage the county's, station admins their station's inspectors (list, create,
edit, revoke a lost phone's token)."""
from flask import flash, g, redirect, render_template, request, url_for

from schemas.account import UserCreateSchema, UserUpdateSchema
from server.account import service as accounts
from server.account.models import ROLES
from server.admin.bp import bp
from server.account.service import require_admin
from server.admin.helpers import blanks, parse_form
from server.core.errors import DomainError
from server.station.service import list_stations


def render_form(values, errors, status=200, user=None):
    """The account form page, with the user's device tokens when editing."""
    tokens = accounts.list_tokens(g.user, user.id) if user else []
    return render_template("admin/account_form.html", values=values, errors=errors, user=user,
                           tokens=tokens, stations=list_stations(g.user)), status


@bp.get("/accounts", endpoint="accounts")
def accounts_list():
    """The accounts the user manages."""
    require_admin(g.user)
    return render_template("admin/accounts.html", users=accounts.list_users(g.user))


@bp.route("/accounts/new", methods=["GET", "POST"])
def account_new():
    """Create an account."""
    require_admin(g.user)
    if request.method == "GET":
        role = request.args.get("role", "inspector")
        return render_form({"role": role if role in ROLES else "inspector"}, {})
    data, errors = parse_form(UserCreateSchema(), request.form)
    if not errors:
        try:
            user = accounts.create_user(g.user, data)
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            flash(f"已创建账号“{user.username}”", "ok")
            return redirect(url_for("admin.accounts"), 303)
    return render_form(request.form, errors, 422)


@bp.route("/accounts/<int:user_id>/edit", methods=["GET", "POST"])
def account_edit(user_id: int):
    """Change an account's name, phone, role, station, active flag or password."""
    require_admin(g.user)
    user = accounts.get_user(g.user, user_id)
    if request.method == "GET":
        values = {k: getattr(user, k) for k in ("username", "name", "phone", "role", "station_id")}
        return render_form(values | {"active": "true" if user.active else "false"}, {}, user=user)
    data, errors = parse_form(UserUpdateSchema(), request.form)
    if not errors:
        data = blanks(request.form, data, texts=("phone",), nulls=("station_id",))
        try:
            accounts.update_user(g.user, user.id, data)
        except DomainError as err:
            errors = {"_": [err.message], **err.fields}
        else:
            flash(f"已保存账号“{user.username}”", "ok")
            return redirect(url_for("admin.accounts"), 303)
    return render_form(request.form, errors, 422, user=user)


@bp.post("/accounts/<int:user_id>/tokens/<int:token_id>/revoke")
def account_token_revoke(user_id: int, token_id: int):
    """Revoke one of a user's device tokens."""
    require_admin(g.user)
    token = accounts.revoke_token(g.user, token_id)
    flash(f"已停用设备“{token.name}”", "ok")
    return redirect(url_for("admin.account_edit", user_id=user_id), 303)
