"""Login and logout for the admin pages."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from schemas.account import LoginSchema
from server.account import service as accounts
from server.admin.helpers import parse_form
from server.core.errors import DomainError

bp = Blueprint("admin_auth", __name__)


def _safe_next(target: str | None, user=None) -> str:
    """Only a path on this site, never another host; by default the dashboard, or a volunteer's own page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("volunteer.home") if user is not None and user.role == "volunteer" else url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form."""
    errors, status = {}, 200
    if request.method == "POST":
        data, errors = parse_form(LoginSchema(), request.form)
        if not errors:
            try:
                user = accounts.authenticate(data["username"], data["password"], request.remote_addr or "")
            except DomainError as err:
                errors, status = {"_": [err.message]}, err.status
            else:
                login_user(user)
                return redirect(_safe_next(request.args.get("next"), user))
        else:
            status = 422
    return render_template("admin/login.html", errors=errors,
                           username=request.form.get("username", "")), status


@bp.post("/logout")
def logout():
    """End every cookie session of the user (this browser's and any copy of its cookie); the phone's device
    tokens stay: the field app may hold unsent records and has its own sign-out."""
    if current_user.is_authenticated:
        accounts.end_sessions(current_user._get_current_object(), devices=False)
    logout_user()
    flash("已退出登录")
    return redirect(url_for("admin_auth.login"))
