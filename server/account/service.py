"""Accounts: passwords, login with rate limiting, device tokens, and who may see what."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from server.account.models import ADMIN_ROLES, ROLES, DeviceToken, LoginAttempt, User
from server.core.clock import utcnow
from server.core.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from server.extensions import db
from server.station.models import Station

_hasher = PasswordHasher()
TOKEN_PREFIX = "fx_"


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """True when the password matches; rehashes old parameters on the way."""
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def _recent_failures(column, value) -> int:
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    q = sa.select(sa.func.count()).select_from(LoginAttempt).where(
        column == value, LoginAttempt.at >= since, LoginAttempt.success.is_(False))
    return db.session.scalar(q)


def authenticate(username: str, password: str, address: str) -> User:
    """The active user with these credentials; refuses after too many recent failures."""
    username = (username or "").strip()
    cfg = current_app.config
    if (_recent_failures(LoginAttempt.username, username) >= cfg["LOGIN_MAX_FAILURES"]
            or _recent_failures(LoginAttempt.address, address) >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        raise TooManyRequests("登录失败次数过多，请15分钟后再试")
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = user is not None and user.active and check_password(user, password)
    db.session.add(LoginAttempt(username=username[:60], address=address[:64], success=ok))
    if not ok:
        # The failure must count even though the request fails.
        db.session.commit()
        raise Invalid("用户名或密码不正确")
    return user


def load_session_user(session_id: str) -> User | None:
    """The user of a cookie session id "<id>:<epoch>", if still valid."""
    try:
        user_id, epoch = (int(p) for p in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str) -> tuple[DeviceToken, str]:
    """A new device token for the user; the plain token is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = DeviceToken(user_id=user.id, name=name.strip()[:80] or "设备",
                         token_hash=_token_hash(plain), prefix=plain[:10])
    db.session.add(record)
    db.session.flush()
    return record, plain


# Every API request asks this: built once, the two rows in one plain join (no eager-load machinery).
_TOKEN_USER = (sa.select(DeviceToken, User).join(User, User.id == DeviceToken.user_id)
               .where(DeviceToken.token_hash == sa.bindparam("token_hash")))


def user_for_token(plain: str) -> tuple[User, DeviceToken] | None:
    """The user and token for a bearer token that is neither revoked nor of an inactive user."""
    found = db.session.execute(_TOKEN_USER, {"token_hash": _token_hash(plain)}).first()
    if found is None:
        return None
    record, user = found
    if record.revoked_at is not None or not user.active:
        return None
    now = utcnow()
    # Touch at most once a minute: a read should not be a write every time.
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=1):
        db.session.execute(sa.update(DeviceToken).where(DeviceToken.id == record.id)
                           .values(last_used_at=now).execution_options(synchronize_session=False))
    return user, record


def list_tokens(actor: User, user_id: int) -> list[DeviceToken]:
    """The device tokens of a user that the actor may manage."""
    user = get_user(actor, user_id) if user_id != actor.id else actor
    return db.session.scalars(sa.select(DeviceToken).where(DeviceToken.user_id == user.id)
                              .order_by(DeviceToken.created_at.desc())).all()


def revoke_token(actor: User, token_id: int) -> DeviceToken:
    """Revoke a token: the owner or an admin over the owner may do it."""
    record = db.session.get(DeviceToken, token_id)
    if record is None:
        raise NotFound("找不到该设备令牌")
    if record.user_id != actor.id:
        get_user(actor, record.user_id)
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        record.revoked_by_id = actor.id
    return record


def require_admin(user: User) -> None:
    """Station and county admins only: inspectors record visits, they do not manage the programme."""
    if user.role not in ADMIN_ROLES:
        raise Forbidden("只有所（分局）或县局管理员可以进行此操作")


def can_manage_users(actor: User) -> bool:
    """County admins manage the county's accounts; a station admin manages the inspectors of the
    station — their accounts and devices, e.g. revoking a lost phone (issue 18, item 10)."""
    return actor.role in ("county_admin", "station_admin")


def manages(actor: User, user: User) -> bool:
    """Whether the actor may manage this account (see can_manage_users)."""
    if user.county_id != actor.county_id:
        return False
    if actor.role == "county_admin":
        return True
    return actor.role == "station_admin" and user.role == "inspector" and user.station_id == actor.station_id


def get_user(actor: User, user_id: int) -> User:
    """A user the actor may manage; NotFound alike for others and missing ones."""
    user = db.session.get(User, user_id)
    if user is None or not manages(actor, user):
        raise NotFound("找不到该用户")
    return user


def list_users(actor: User) -> list[User]:
    """The accounts the actor manages: the county's for a county admin, the station's inspectors for a
    station admin."""
    if not can_manage_users(actor):
        raise Forbidden("只有县局或所（分局）管理员可以管理账号")
    q = sa.select(User).where(User.county_id == actor.county_id)
    if actor.role == "station_admin":
        q = q.where(User.station_id == actor.station_id, User.role == "inspector")
    return db.session.scalars(q.order_by(User.station_id.nullsfirst(), User.username)).all()


def rescue_author(importer: User, author_id: int) -> User:
    """The inspector whose records a rescue file holds, when the importer may file them in that
    inspector's name: a station admin of the inspector's station, or the county admin. Invalid with the
    reason otherwise (issue 18, item 5: records keep their author; the importer is recorded beside)."""
    author = db.session.get(User, author_id) if isinstance(author_id, int) else None
    if author is None or not manages(importer, author):
        raise Invalid("这是其他人员的记录：只有该执法人员所在所（分局）的管理员可以导入，请交给所里导入")
    return author


def _station_admin_limits(actor: User, role: str, station_id) -> None:
    if actor.role == "station_admin" and (role != "inspector" or station_id != actor.station_id):
        raise Forbidden("所（分局）管理员只能管理本所的执法人员账号")


def _check_role_station(actor: User, role: str, station_id: int | None) -> None:
    if role not in ROLES:
        raise Invalid("角色不正确", fields={"role": ["角色不正确"]})
    if role == "county_admin":
        return
    station = db.session.get(Station, station_id) if station_id else None
    if station is None or station.county_id != actor.county_id:
        raise Invalid("请选择所属所（分局）", fields={"station_id": ["请选择所属所（分局）"]})


def create_user(actor: User, data: dict) -> User:
    """A new account in the actor's county."""
    if not can_manage_users(actor):
        raise Forbidden("只有县局或所（分局）管理员可以管理账号")
    if actor.role == "station_admin":
        data = {**data, "station_id": data.get("station_id") or actor.station_id}
    _station_admin_limits(actor, data["role"], data.get("station_id"))
    _check_role_station(actor, data["role"], data.get("station_id"))
    if db.session.scalar(sa.select(User.id).where(User.username == data["username"])):
        raise Conflict("用户名已被使用", fields={"username": ["用户名已被使用"]})
    user = User(username=data["username"], name=data["name"], phone=data.get("phone", ""),
                role=data["role"], county_id=actor.county_id,
                station_id=None if data["role"] == "county_admin" else data["station_id"],
                password_hash=hash_password(data["password"]))
    db.session.add(user)
    db.session.flush()
    return user


def update_user(actor: User, user_id: int, data: dict) -> User:
    """Change an account's name, role, station, active flag or password."""
    user = get_user(actor, user_id)
    role = data.get("role", user.role)
    station_id = data.get("station_id", user.station_id)
    _station_admin_limits(actor, role, station_id)
    _check_role_station(actor, role, station_id)
    if user.id == actor.id and (role != "county_admin" or data.get("active") is False):
        raise Invalid("不能降低或停用自己的账号")
    for key in ("name", "phone"):
        if key in data:
            setattr(user, key, data[key])
    user.role = role
    user.station_id = None if role == "county_admin" else station_id
    if data.get("password"):
        user.password_hash = hash_password(data["password"])
        user.session_epoch += 1
    if "active" in data and data["active"] != user.active:
        user.active = data["active"]
        user.session_epoch += 1
    return user


def change_own_password(user: User, old: str, new: str) -> None:
    """A user changes their own password, proving the old one."""
    if not check_password(user, old):
        raise Invalid("原密码不正确", fields={"old_password": ["原密码不正确"]})
    user.password_hash = hash_password(new)
    user.session_epoch += 1
