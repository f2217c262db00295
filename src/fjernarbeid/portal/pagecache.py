"""A cache of whole public responses (directory, space pages, open data) for visitors who are not logged in.

The cache key holds a data version that every change of a space, photo, event or sign-up raises (signals
below), so an edit shows at once; entries also expire after a minute, which bounds the staleness of what
depends on the clock ("open now", coming events). Logged-in people, whose pages show their own role and
forms, are never served from it.
"""

from __future__ import annotations

from functools import wraps

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

TIMEOUT = 60
VERSION_KEY = "pagecache:version"


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump(**_kwargs) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def public_cache(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated or "messages" in request.COOKIES:
            return view(request, *args, **kwargs)
        key = f"pagecache:{data_version()}:{get_language()}:{request.get_host()}:{request.get_full_path()}"
        hit = cache.get(key)
        if hit is not None:
            return hit
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, response, TIMEOUT)
        return response

    return wrapper


def connect_signals() -> None:
    from fjernarbeid.portal.models import Event, EventSignup, Space, SpacePhoto, TravelTime

    for model in (Space, SpacePhoto, Event, EventSignup, TravelTime):
        post_save.connect(bump, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
