"""What every page needs: the role, the region and the map settings in the template context."""

from __future__ import annotations

from django.conf import settings

from fjernarbeid.portal.region import region
from fjernarbeid.portal.roles import role_of


def portal_context(request) -> dict:
    return {
        "role": role_of(request.user),
        "region_name": region()["name"],
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
