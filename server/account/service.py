"""Accounts: passwords, login with rate limiting, device tokens, and who may see what."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from server.account.models import ADMIN_ROLES, COUNTY_ROLES, STATIONLESS_ROLES, DeviceToken, LoginAttempt, User
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


# The same work for a name that is no account as for one that is: a password checked against this.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
# (key, free failures in the window, first wait, longest wait), in seconds. Beyond its free failures a key
# waits the first wait after its latest failure, doubling with each further failure up to the longest.
# The pair (account, address) is what stops a guesser; the account alone only slows a guesser spread over
# many addresses, and never for long, so that nobody can lock a real user out; the address alone counts
# every account, with room for a county office behind one NAT address.
THROTTLES = (("pair", 5, 30, 15 * 60), ("account", 20, 5, 60), ("address", 100, 5, 5 * 60))


def _failures(where, since, exclude):
    """(count, latest time) of failed attempts matching where, since a time, but the attempt `exclude`."""
    q = sa.select(sa.func.count(), sa.func.max(LoginAttempt.at)).where(
        where, LoginAttempt.at >= since, LoginAttempt.success.is_(False), LoginAttempt.id != exclude)
    return db.session.execute(q).one()


def login_wait(username: str, address: str, now=None, exclude: int = 0) -> int:
    """Seconds this account and address must still wait before a password is checked (0: go ahead).

    Progressive delay, never a hard lock of an account: see THROTTLES. The pair counts from its last
    success, so a user who got in starts afresh. Counts the attempts recorded so far (login_attempt) but
    `exclude`, the one being decided."""
    now = now or utcnow()
    window = now - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    pair = sa.and_(LoginAttempt.username == username, LoginAttempt.address == address)
    last_ok = db.session.scalar(sa.select(sa.func.max(LoginAttempt.at)).where(pair, LoginAttempt.success.is_(True)))
    wheres = {"pair": (pair, max(window, last_ok) if last_ok else window),
              "account": (LoginAttempt.username == username, window),
              "address": (LoginAttempt.address == address, window)}
    wait = 0.0
    for key, free, first, longest in THROTTLES:
        count, latest = _failures(*wheres[key], exclude)
        if count >= free and latest is not None:
            delay = min(first * 2 ** (count - free), longest)
            wait = max(wait, delay - (now - latest).total_seconds())
    return int(wait) + 1 if wait > 0 else 0


def _serialise(username: str, address: str) -> None:
    """One login of an account (and of an address) at a time between counting and recording, so that 20
    guesses sent at once are counted one after the other. PostgreSQL: transaction-scoped advisory locks,
    account first, then address (one order: no deadlock). SQLite: the attempt's insert that follows takes
    the one writer's turn, and the counting reads after it."""
    if db.session.get_bind().dialect.name == "postgresql":
        for key in ("login:" + username, "login-from:" + address):
            db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def authenticate(username: str, password: str, address: str) -> User:
    """The active user with these credentials; TooManyRequests (with retry_after) while this account or
    address must wait (login_wait). Every attempt is recorded before its password is checked, and the
    check costs the same whether or not the account exists."""
    username, address = (username or "").strip()[:60], (address or "")[:64]
    _serialise(username, address)
    attempt = LoginAttempt(username=username, address=address, success=False)
    db.session.add(attempt)
    db.session.flush()
    wait = login_wait(username, address, exclude=attempt.id)
    if wait:
        db.session.rollback()  # a refused attempt is not a failure: it does not lengthen the wait
        err = TooManyRequests(f"登录失败次数过多，请{_duration(wait)}后再试")
        err.retry_after = wait
        raise err
    db.session.commit()  # counted (and the locks let go) before the slow check
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = check_password(user, password) if user is not None else _check_dummy(password)
    ok = ok and user.active
    if not ok:
        raise Invalid("用户名或密码不正确")
    db.session.get(LoginAttempt, attempt.id).success = True
    return user


def _check_dummy(password: str) -> bool:
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        pass
    return False


def _duration(seconds: int) -> str:
    return f"{seconds}秒" if seconds < 60 else f"{(seconds + 59) // 60}分钟"


def end_sessions(user: User, *, devices: bool, actor: User | None = None) -> None:
    """End every cookie session of the user (a per-user epoch in the session id); with devices, also
    revoke every device token, for good: reactivating the account does not revive them."""
    user.session_epoch += 1
    if devices:
        now = utcnow()
        for record in db.session.scalars(sa.select(DeviceToken).where(DeviceToken.user_id == user.id,
                                                                      DeviceToken.revoked_at.is_(None))):
            record.revoked_at = now
            record.revoked_by_id = (actor or user).id


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
    """A new device token for the user; the plain token is returned once and never stored. Forbidden for a
    消费义工: the API is the bureau's, a volunteer uses the page of their own visits (server.volunteer)."""
    if user.role == "volunteer":
        raise Forbidden("消费义工请在网页“我的暗访”中登录使用，不能登录执法App")
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
    if role not in COUNTY_ROLES:  # a city or province account is made by `flask region user`, never here
        raise Invalid("角色不正确", fields={"role": ["角色不正确"]})
    if role in STATIONLESS_ROLES:
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
                station_id=None if data["role"] in STATIONLESS_ROLES else data["station_id"],
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
    user.station_id = None if role in STATIONLESS_ROLES else station_id
    if data.get("password"):
        user.password_hash = hash_password(data["password"])
        end_sessions(user, devices=True, actor=actor)
    if "active" in data and data["active"] != user.active:
        user.active = data["active"]
        end_sessions(user, devices=True, actor=actor)
    return user


def change_own_password(user: User, old: str, new: str) -> None:
    """A user changes their own password, proving the old one."""
    if not check_password(user, old):
        raise Invalid("原密码不正确", fields={"old_password": ["原密码不正确"]})
    user.password_hash = hash_password(new)
    end_sessions(user, devices=True)
