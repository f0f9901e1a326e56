"""The cookie sessions: Flask's, with a shortcut only for requests that bring no cookie."""
from flask import session

from server.core.session import CookieSessions


def test_no_cookie_empty_session_and_a_signed_cookie_still_read(app):
    assert isinstance(app.session_interface, CookieSessions)
    with app.test_request_context("/"):
        assert dict(session) == {} and not session.modified
    with app.test_request_context("/", headers={"Cookie": "session=forged.value.sig"}):
        assert dict(session) == {}
    signed = app.session_interface.get_signing_serializer(app).dumps({"k": "v"})
    with app.test_request_context("/", headers={"Cookie": f"session={signed}"}):
        assert session["k"] == "v"
