"""Domain errors raised by services; the web layer turns them into one JSON shape or a page."""


class DomainError(Exception):
    """A rule of the domain refused the request; `message` is shown to the user in Chinese."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict | None = None, current=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.current = current

    def to_dict(self) -> dict:
        """The API's error body."""
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        if self.current is not None:
            body["current"] = self.current
        return {"error": body}


class Invalid(DomainError):
    status = 422
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"
