"""One description of a space for every open-data format: the JSON API, GeoJSON, CSV and schema.org JSON-LD."""

from __future__ import annotations

from fjernarbeid.portal.models import Space

# The flat fields of the API, CSV and GeoJSON properties, in order.
FIELDS = [
    "id", "slug", "name", "fictional", "municipality", "municipality_name", "place", "address", "postal_code",
    "latitude", "longitude", "capacity", "open_desks", "cell_offices", "meeting_rooms", "broadband_mbps",
    "opens", "closes", "open_days", "key_card", "staffed", "price_day", "price_month", "facilities",
    "contact_name", "contact_email", "contact_phone", "website", "url", "updated",
]


def space_record(space: Space, base_url: str) -> dict:
    return {
        "id": space.pk,
        "slug": space.slug,
        "name": space.name,
        "fictional": space.fictional,
        "municipality": space.municipality,
        "municipality_name": space.municipality_name,
        "place": space.place,
        "address": space.address,
        "postal_code": space.postal_code,
        "latitude": space.latitude,
        "longitude": space.longitude,
        "capacity": space.capacity,
        "open_desks": space.open_desks,
        "cell_offices": space.cell_offices,
        "meeting_rooms": space.meeting_rooms,
        "broadband_mbps": space.broadband_mbps,
        "opens": space.opens.strftime("%H:%M"),
        "closes": space.closes.strftime("%H:%M"),
        "open_days": space.open_days,
        "key_card": space.key_card,
        "staffed": space.staffed,
        "price_day": space.price_day,
        "price_month": space.price_month,
        "facilities": list(space.facilities),
        "contact_name": space.contact_name,
        "contact_email": space.contact_email,
        "contact_phone": space.contact_phone,
        "website": space.website,
        "url": base_url + space.get_absolute_url(),
        "updated": space.updated.isoformat(timespec="seconds"),
    }


def geojson_feature(record: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [record["longitude"], record["latitude"]]},
        "properties": record,
    }


_SCHEMA_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def json_ld(space: Space, base_url: str) -> dict:
    """schema.org CoworkingSpace (a LocalBusiness), for tourism portals and search engines."""
    data = {
        "@context": "https://schema.org",
        "@type": "CoworkingSpace",
        "name": space.name,
        "url": base_url + space.get_absolute_url(),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": space.address,
            "postalCode": space.postal_code,
            "addressLocality": space.place,
            "addressRegion": space.municipality_name,
            "addressCountry": "NO",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": space.latitude, "longitude": space.longitude},
        "maximumAttendeeCapacity": space.capacity,
        "email": space.contact_email,
        "openingHoursSpecification": [{
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [_SCHEMA_DAYS[int(d) - 1] for d in space.open_days if d.isdigit() and 1 <= int(d) <= 7],
            "opens": space.opens.strftime("%H:%M"),
            "closes": space.closes.strftime("%H:%M"),
        }],
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": key, "value": True} for key in space.facilities
        ] + [
            {"@type": "LocationFeatureSpecification", "name": "cell_offices", "value": space.cell_offices},
            {"@type": "LocationFeatureSpecification", "name": "broadband_mbps", "value": space.broadband_mbps},
        ],
    }
    if space.description:
        data["description"] = space.description
    if space.contact_phone:
        data["telephone"] = space.contact_phone
    if space.price_day is not None:
        data["priceRange"] = f"NOK {space.price_day} per day" + (
            f", NOK {space.price_month} per month" if space.price_month is not None else "")
    return data
