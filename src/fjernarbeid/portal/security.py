"""A Content-Security-Policy header: scripts and styles only from the portal itself, images also from the
configured tile server. An injected ``<script>`` that escaped the template escaping would still not run."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def _tile_origin() -> str:
    url = urlsplit(settings.MAP_TILE_URL or "")
    if not url.scheme or not url.netloc:
        return ""
    host = url.netloc.replace("{s}", "*")
    return f" {url.scheme}://{host}"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = (
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data:{_tile_origin()}; connect-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", self.policy)
        return response
