"""Lookups at /s/ throttled per client address, so that signs cannot be enumerated: a typed serial (found or
not: a found one leads to the sign's token) and an address that is no sign (an unknown token, a mangled one).
A scan of a genuine sign is never counted nor refused.

Counted with the `limits` library (the engine of Flask-Limiter, by the same maintainers) in
RATELIMIT_STORAGE_URI — Redis when REDIS_URL is set, shared by every process; else memory, per process — against
LOOKUP_RATE_LIMIT ("20 per minute;200 per day" by default), in fixed windows. Flask-Limiter itself is not used:
it checks every request before it runs, a cost the scan of a sign (the busiest request) would pay for nothing
(bench/signs.py: about a fifth of a kept page's time). The client address is request.remote_addr, which ProxyFix
sets from X-Forwarded-For behind TRUSTED_PROXY_HOPS proxies.
"""
import math
import time

from flask import Flask, current_app, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from server.core.errors import TooManyRequests

SCOPE = "sign-lookup"
EXTENSION = "lookup_limiter"


def init_app(app: Flask) -> None:
    """The counter of lookups, on RATELIMIT_STORAGE_URI (e.g. redis://…, memory://)."""
    app.extensions[EXTENSION] = FixedWindowRateLimiter(storage_from_string(app.config["RATELIMIT_STORAGE_URI"]))


def reset(app: Flask) -> None:
    """Forget every count (tests)."""
    app.extensions[EXTENSION].storage.reset()


def spend_lookup() -> None:
    """Count one lookup of this client address; TooManyRequests (429, with retry_after in seconds) once any
    of the limits is spent."""
    counter = current_app.extensions[EXTENSION]
    key = request.remote_addr or "unknown"
    for item in parse_many(current_app.config["LOOKUP_RATE_LIMIT"]):
        if not counter.hit(item, SCOPE, key):
            reset_at = counter.get_window_stats(item, SCOPE, key).reset_time
            err = TooManyRequests("查询过于频繁，请稍后再试")
            err.retry_after = max(1, math.ceil(reset_at - time.time()))
            raise err
