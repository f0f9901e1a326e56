"""Configuration: a class of safe defaults, overridden from the environment."""
import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once into the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when several workers start at once only one writes the key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        except FileExistsError:
            pass
    return path.read_text().strip()


class Config:
    """Defaults for every deployment; each can be overridden by an environment variable."""

    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    API_TITLE = "放心消费 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "info": {"description": "放心消费系统的接口。除登录外均需 Authorization: Bearer <设备令牌>。"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }
    LOGIN_WINDOW_SECONDS = 15 * 60  # failed logins counted over this window (server.account.service.THROTTLES)
    PAGE_SIZE = 20
    FEEDBACK_PER_SIGN_HOUR = 5
    FEEDBACK_PER_ADDRESS_DAY = 20
    ISSUING_AUTHORITY = "缙云县市场监督管理局"
    # The public sign page is kept rendered per process: pages (LRU) and seconds an entry may live when
    # nothing synced changed (evaluations and targets are not in the change log; they show within this).
    PUBLIC_PAGE_CACHE_SIZE = 20000  # about 36 MB a worker (server.public.cache)
    PUBLIC_PAGE_TTL = 30
    PUBLIC_FAST_PATH = True  # kept sign pages sent before Flask (server.public.fast)
    # gzip (and brotli where asked) for pages and JSON; photos are already compressed.
    COMPRESS_MIMETYPES = ["text/html", "text/css", "application/json", "text/javascript",
                          "application/javascript", "application/manifest+json"]
    COMPRESS_MIN_SIZE = 500
    # A database server's pooled connection is pinged before use only after this long idle
    # (server.core.pool): a busy one is proved alive by the request before it.
    DB_PING_AFTER_IDLE_SECONDS = 10
    # An inspection whose GPS fix is vaguer than this, or this far from the unit's location (metres), is put
    # before staff in the daily patrol (每天网上巡).
    # An inspector may correct a submitted inspection of their own for this many days; admins at any time.
    CORRECTION_DAYS = 7
    # The least ink (dark pixels of the signature image) a signature must have to be accepted from a device: a
    # tap draws about 7 (pen 3 px at 1× pixel ratio) to 40 (6 px at 2×); the app's minimum stroke length, 150
    # CSS px, draws about 450 at 1× and 1 800 at 2×. Checked when the image is on the server at submission.
    SIGNATURE_MIN_INK_PX = 300
    GPS_DOUBT_ACCURACY_M = 200
    GPS_DOUBT_DISTANCE_M = 500
    # A unit with at least LOW_STARS_MIN_COUNT evaluations averaging at most LOW_STARS_MAX_AVG stars within
    # the last LOW_STARS_DAYS days is put in the daily patrol (server.feedback.record).
    LOW_STARS_DAYS = 30
    LOW_STARS_MIN_COUNT = 2
    LOW_STARS_MAX_AVG = 2.0
    # Background jobs (server.job.queue): Redis when REDIS_URL is set, else a SQLite queue file in the
    # instance folder read by `flask jobs worker`; JOBS_QUEUE=inline runs each job in the process that
    # started it. A running job whose worker has said nothing for JOBS_STALE_SECONDS is failed.
    # Lookups at /s/ by one client address (a typed serial, an unknown token): enough for any consumer,
    # too few to enumerate signs (server.public.throttle). Counted by the limits library in
    # RATELIMIT_STORAGE_URI: Redis (REDIS_URL) when set, so that every app process shares the counts; else
    # in each process's memory.
    LOOKUP_RATE_LIMIT = "20 per minute;200 per day"
    JOBS_QUEUE = ""
    JOBS_QUEUE_NAME = "fangxin"
    JOBS_STALE_SECONDS = 300

    @classmethod
    def from_env(cls, instance_path: str) -> dict:
        """The settings for this process: defaults, then the environment."""
        default_db = "sqlite:///" + str(Path(instance_path) / "fangxin.db")
        return {
            "SECRET_KEY": _secret_key(instance_path),
            "SQLALCHEMY_DATABASE_URI": normalise_db_url(os.environ.get("DATABASE_URL", default_db)),
            "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            "PHOTO_STORAGE": os.environ.get("PHOTO_STORAGE", "file://" + str(Path(instance_path) / "photos")),
            "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
            "REMEMBER_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
            "ISSUING_AUTHORITY": os.environ.get("ISSUING_AUTHORITY", cls.ISSUING_AUTHORITY),
            "SIGN_FONT": os.environ.get("SIGN_FONT", ""),
            "SIGN_SERIAL_PREFIX": os.environ.get("SIGN_SERIAL_PREFIX", ""),
            # Behind a reverse proxy, how many hops of X-Forwarded-For to trust (for rate limits).
            "TRUSTED_PROXY_HOPS": int(os.environ.get("TRUSTED_PROXY_HOPS", "0")),
            "PUBLIC_PAGE_CACHE_SIZE": int(os.environ.get("PUBLIC_PAGE_CACHE_SIZE", cls.PUBLIC_PAGE_CACHE_SIZE)),
            "PUBLIC_PAGE_TTL": float(os.environ.get("PUBLIC_PAGE_TTL", cls.PUBLIC_PAGE_TTL)),
            "PUBLIC_FAST_PATH": os.environ.get("PUBLIC_FAST_PATH", "1") == "1",
            "CORRECTION_DAYS": int(os.environ.get("CORRECTION_DAYS", cls.CORRECTION_DAYS)),
            "SIGNATURE_MIN_INK_PX": int(os.environ.get("SIGNATURE_MIN_INK_PX", cls.SIGNATURE_MIN_INK_PX)),
            "GPS_DOUBT_ACCURACY_M": float(os.environ.get("GPS_DOUBT_ACCURACY_M", cls.GPS_DOUBT_ACCURACY_M)),
            "GPS_DOUBT_DISTANCE_M": float(os.environ.get("GPS_DOUBT_DISTANCE_M", cls.GPS_DOUBT_DISTANCE_M)),
            "LOW_STARS_DAYS": int(os.environ.get("LOW_STARS_DAYS", cls.LOW_STARS_DAYS)),
            "LOW_STARS_MIN_COUNT": int(os.environ.get("LOW_STARS_MIN_COUNT", cls.LOW_STARS_MIN_COUNT)),
            "LOW_STARS_MAX_AVG": float(os.environ.get("LOW_STARS_MAX_AVG", cls.LOW_STARS_MAX_AVG)),
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
            "LOOKUP_RATE_LIMIT": os.environ.get("LOOKUP_RATE_LIMIT", cls.LOOKUP_RATE_LIMIT),
            "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL")
            or "memory://",
            "JOBS_QUEUE": os.environ.get("JOBS_QUEUE", cls.JOBS_QUEUE),
            "JOBS_QUEUE_NAME": os.environ.get("JOBS_QUEUE_NAME", cls.JOBS_QUEUE_NAME),
            "JOBS_STALE_SECONDS": int(os.environ.get("JOBS_STALE_SECONDS", cls.JOBS_STALE_SECONDS)),
        }


def normalise_db_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
