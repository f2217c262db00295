"""Fixed-window rate limits for logins and forms, counted in Django's cache (per server process)."""

from __future__ import annotations

import time

from django.core.cache import cache

# name -> (allowed requests, window in seconds)
LIMITS = {
    "login": (5, 300),       # failed logins per user name and address
    "form": (20, 60),        # form posts per address (registration, interest, bookings, sign-ups)
}


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def hit(name: str, key: str) -> bool:
    """Count one request; False when the limit of this window is already used up."""
    allowed, window = LIMITS[name]
    bucket = f"ratelimit:{name}:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return count <= allowed


def exceeded(name: str, key: str) -> bool:
    allowed, window = LIMITS[name]
    return (cache.get(f"ratelimit:{name}:{key}:{int(time.time() // window)}") or 0) >= allowed
