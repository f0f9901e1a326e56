"""/api/v1: device tokens, the current user, and accounts (county admins)."""
from flask import g, request

from schemas.account import (IssuedTokenSchema, TokenCreateSchema, TokenSchema, UserCreateSchema,
                             UserSchema, UserUpdateSchema)
from server.account import service
from server.core.blueprint import Blueprint

api_bp = Blueprint("accounts", __name__, url_prefix="", description="登录令牌与账号")


@api_bp.post("/auth/token")
@api_bp.doc(security=[])  # the one endpoint without a bearer token: it issues them
@api_bp.arguments(TokenCreateSchema)
@api_bp.response(201, IssuedTokenSchema)
def create_token(data):
    """Log in with username and password; returns a new device token (shown once)."""
    user = service.authenticate(data["username"], data["password"], request.remote_addr or "")
    record, plain = service.issue_token(user, data["device_name"])
    return {"token": plain, "device": record}


@api_bp.get("/me")
@api_bp.response(200, UserSchema)
def me():
    """The user behind the token."""
    return g.user


@api_bp.get("/tokens")
@api_bp.response(200, TokenSchema(many=True))
def my_tokens():
    """My device tokens."""
    return service.list_tokens(g.user, g.user.id)


@api_bp.get("/users/<int:user_id>/tokens")
@api_bp.response(200, TokenSchema(many=True))
def user_tokens(user_id):
    """A user's device tokens (county admins)."""
    return service.list_tokens(g.user, user_id)


@api_bp.delete("/tokens/<int:token_id>")
@api_bp.response(200, TokenSchema)
def revoke_token(token_id):
    """Revoke a device token: my own, or (county admins) anyone's in the county."""
    return service.revoke_token(g.user, token_id)


@api_bp.get("/users")
@api_bp.response(200, UserSchema(many=True))
def list_users():
    """Every account of the county (county admins)."""
    return service.list_users(g.user)


@api_bp.post("/users")
@api_bp.arguments(UserCreateSchema)
@api_bp.response(201, UserSchema)
def create_user(data):
    """Create an account (county admins)."""
    return service.create_user(g.user, data)


@api_bp.patch("/users/<int:user_id>")
@api_bp.arguments(UserUpdateSchema)
@api_bp.response(200, UserSchema)
def update_user(data, user_id):
    """Change an account (county admins)."""
    return service.update_user(g.user, user_id, data)
