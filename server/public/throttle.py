"""Lookups at /s/ throttled per client address, so that signs cannot be enumerated: a typed serial (found or
not: a found one leads to the sign's token) and an address that is no sign (an unknown token, a mangled one).
A scan of a genuine sign is never counted nor refused.

Counted with Flask-Limiter's storage and strategy (server.extensions.limiter; RATELIMIT_STORAGE_URI: Redis
when REDIS_URL is set, shared by every process; else memory, per process) against LOOKUP_RATE_LIMIT
("20 per minute;200 per day" by default). The client address is request.remote_addr, which ProxyFix sets from
X-Forwarded-For behind TRUSTED_PROXY_HOPS proxies.
"""
import math
import time

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse_many

from server.core.errors import TooManyRequests
from server.extensions import limiter

SCOPE = "sign-lookup"


def spend_lookup() -> None:
    """Count one lookup of this client address; TooManyRequests (429, with retry_after in seconds) once
    any of the limits is spent. Nothing is counted while Flask-Limiter is disabled (RATELIMIT_ENABLED)."""
    if not limiter.enabled:
        return
    key = get_remote_address()
    for item in parse_many(current_app.config["LOOKUP_RATE_LIMIT"]):
        if not limiter.limiter.hit(item, SCOPE, key):
            reset = limiter.limiter.get_window_stats(item, SCOPE, key).reset_time
            err = TooManyRequests("查询过于频繁，请稍后再试")
            err.retry_after = max(1, math.ceil(reset - time.time()))
            raise err
