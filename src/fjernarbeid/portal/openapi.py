"""The OpenAPI 3.1 document of the portal's open-data API (served at /api/openapi.json)."""

from __future__ import annotations

from fjernarbeid.portal.spacedata import FIELDS

_STRING = {"type": "string"}
_INT_NULL = {"type": ["integer", "null"]}
_TYPES = {
    "id": {"type": "integer"}, "fictional": {"type": "boolean"}, "key_card": {"type": "boolean"},
    "latitude": {"type": "number"}, "longitude": {"type": "number"},
    "capacity": {"type": "integer"}, "open_desks": {"type": "integer"}, "cell_offices": {"type": "integer"},
    "meeting_rooms": {"type": "integer"}, "broadband_mbps": {"type": "integer"},
    "price_day": _INT_NULL, "price_month": _INT_NULL,
    "facilities": {"type": "array", "items": _STRING},
    "url": {"type": "string", "format": "uri"}, "updated": {"type": "string", "format": "date-time"},
    "open_days": {"type": "string", "description": "ISO weekdays the space is open, 1 = Monday"},
}
SPACE_SCHEMA = {
    "type": "object",
    "required": FIELDS,
    "properties": {name: _TYPES.get(name, _STRING) for name in FIELDS},
}
EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "title": _STRING, "kind": {"type": "string", "enum": ["welcome", "gathering", "course"]},
        "space": {"type": ["string", "null"]}, "description": _STRING,
        "starts": {"type": "string", "format": "date-time"}, "ends": {"type": "string", "format": "date-time"},
        "location": _STRING, "capacity": {"type": "integer"}, "signed_up": {"type": "integer"},
        "fictional": {"type": "boolean"}, "url": {"type": "string", "format": "uri"},
    },
}
FILTERS = [
    {"name": "q", "in": "query", "schema": _STRING, "description": "Text in name, place, address or description."},
    {"name": "municipality", "in": "query", "schema": _STRING, "description": "Municipality number, e.g. 4622."},
    {"name": "cell_office", "in": "query", "schema": {"type": "boolean"}, "description": "Only spaces with cell offices."},
    {"name": "max_price_day", "in": "query", "schema": {"type": "integer"}, "description": "Highest day price (NOK)."},
    {"name": "open_now", "in": "query", "schema": {"type": "boolean"}, "description": "Only spaces open now."},
]


def document(base_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Coworking network portal: open data",
            "version": "1",
            "description": "The region's coworking spaces and events. Free to reuse; spaces marked "
                           "`fictional` belong to a demonstration network.",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/spaces": {"get": {
                "summary": "All spaces, optionally filtered", "parameters": FILTERS,
                "responses": {"200": {"description": "Spaces", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"count": {"type": "integer"},
                                                     "spaces": {"type": "array", "items": SPACE_SCHEMA}}}}}},
                              "400": {"description": "A filter has an invalid value"}}}},
            "/api/spaces/{slug}": {"get": {
                "summary": "One space",
                "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _STRING}],
                "responses": {"200": {"description": "The space", "content": {"application/json": {"schema": SPACE_SCHEMA}}},
                              "404": {"description": "No such space"}}}},
            "/api/events": {"get": {
                "summary": "Coming events and courses",
                "responses": {"200": {"description": "Events", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"count": {"type": "integer"},
                                                     "events": {"type": "array", "items": EVENT_SCHEMA}}}}}}}}},
            "/spaces.geojson": {"get": {"summary": "Spaces as GeoJSON points (RFC 7946)", "parameters": FILTERS,
                                        "responses": {"200": {"description": "FeatureCollection",
                                                              "content": {"application/geo+json": {}}}}}},
            "/spaces.csv": {"get": {"summary": "Spaces as CSV (UTF-8 with BOM, one row a space)", "parameters": FILTERS,
                                    "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}}}},
            "/events.ics": {"get": {"summary": "All events of the region as iCalendar",
                                    "responses": {"200": {"description": "iCalendar", "content": {"text/calendar": {}}}}}},
            "/spaces/{slug}/events.ics": {"get": {
                "summary": "One space's events as iCalendar",
                "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _STRING}],
                "responses": {"200": {"description": "iCalendar", "content": {"text/calendar": {}}},
                              "404": {"description": "No such space"}}}},
        },
    }
