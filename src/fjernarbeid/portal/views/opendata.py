"""Open data: a JSON API described by an OpenAPI document, GeoJSON and CSV of the spaces, iCal feeds."""

from __future__ import annotations

import io

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fjernarbeid._cells import csv_dict_writer
from fjernarbeid._cells import neutralise
from fjernarbeid.portal import calendar
from fjernarbeid.portal.models import Event, Space
from fjernarbeid.portal.pagecache import public_cache
from fjernarbeid.portal.spacedata import FIELDS, geojson_feature, space_record
from fjernarbeid.portal.views.directory import SearchForm, filter_spaces

CORS = {"Access-Control-Allow-Origin": "*"}  # open data: any site may read it


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _filtered(request):
    form = SearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return None, form.errors.get_json_data()
    data = form.cleaned_data if form.is_bound else {}
    return filter_spaces(Space.objects.all(), data), None


def _json(data, status=200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    for key, value in CORS.items():
        response[key] = value
    return response


@public_cache
def api_spaces(request):
    spaces, errors = _filtered(request)
    if errors:
        return _json({"errors": errors}, status=400)
    base = _base_url(request)
    return _json({"count": len(spaces), "spaces": [space_record(s, base) for s in spaces]})


@public_cache
def api_space(request, slug: str):
    try:
        space = Space.objects.get(slug=slug)
    except Space.DoesNotExist:
        return _json({"error": "not found"}, status=404)
    return _json(space_record(space, _base_url(request)))


def event_record(event: Event, base: str) -> dict:
    return {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "space": event.space.slug if event.space_id else None,
        "description": event.description,
        "starts": event.starts.isoformat(),
        "ends": event.ends.isoformat(),
        "location": event.location,
        "capacity": event.capacity,
        "signed_up": event.signup_count,
        "fictional": event.fictional,
        "url": f"{base}/events/{event.pk}/",
    }


@public_cache
def api_events(request):
    from django.db.models import Count

    events = Event.objects.filter(ends__gte=timezone.now()).select_related("space") \
        .annotate(signup_count=Count("signups")).order_by("starts", "pk")  # GROUP BY drops Meta.ordering
    base = _base_url(request)
    return _json({"count": len(events), "events": [event_record(e, base) for e in events]})


@public_cache
def geojson(request):
    spaces, errors = _filtered(request)
    if errors:
        return _json({"errors": errors}, status=400)
    base = _base_url(request)
    response = _json({"type": "FeatureCollection", "features": [geojson_feature(space_record(s, base)) for s in spaces]})
    response["Content-Type"] = "application/geo+json; charset=utf-8"
    return response


@public_cache
def spaces_csv(request):
    spaces, errors = _filtered(request)
    if errors:
        return _json({"errors": errors}, status=400)
    base = _base_url(request)
    out = io.StringIO()
    writer = csv_dict_writer(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for space in spaces:
        record = space_record(space, base)
        record["facilities"] = ";".join(record["facilities"])
        writer.writerow({key: neutralise(value) for key, value in record.items()})  # no live formulas
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="spaces.csv"'
    for key, value in CORS.items():
        response[key] = value
    return response


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    for key, value in CORS.items():
        response[key] = value
    return response


@public_cache
def region_ics(request):
    events = Event.objects.select_related("space").order_by("starts")
    return _ics(calendar.events_calendar(events, _base_url(request), "Hardanger"), "region.ics")


@public_cache
def space_ics(request, slug: str):
    space = get_object_or_404(Space, slug=slug)
    events = Event.objects.filter(space=space).select_related("space").order_by("starts")
    return _ics(calendar.events_calendar(events, _base_url(request), space.name), f"{space.slug}.ics")


def openapi(request):
    from fjernarbeid.portal.openapi import document

    return _json(document(_base_url(request)))


def not_found_json(request, *args, **kwargs):
    raise Http404
