"""Flask's signed-cookie sessions, cheaper for the many requests that bring no session cookie."""
from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """The same sessions; only the signer is not built when there is no cookie to check — a consumer
    scanning a sign, hundreds of times a second (Flask builds it before looking for the cookie)."""

    def open_session(self, app, request):
        """An empty session at once when no cookie came; else Flask's."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
