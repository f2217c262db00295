"""The directory: front page by municipality, search with filters, the map and each space's page."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fjernarbeid.portal.models import Event, Space
from fjernarbeid.portal.pagecache import public_cache
from fjernarbeid.portal.region import municipalities, municipality_choices, region, sources
from fjernarbeid.portal.roles import can_book_guest_day, can_edit_space, can_publish_event, can_record_use
from fjernarbeid.portal.spacedata import json_ld, space_record


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False,
                                     choices=lambda: [("", _("All"))] + municipality_choices())
    cell_office = forms.BooleanField(label=_("Has cell offices"), required=False)
    max_price_day = forms.IntegerField(label=_("Highest day price (NOK)"), required=False, min_value=0)
    open_now = forms.BooleanField(label=_("Open now"), required=False)


def filter_spaces(queryset, data: dict, now=None):
    """Apply the search form's cleaned data to a queryset of spaces; 'open now' is checked in Python."""
    if data.get("q"):
        q = data["q"]
        queryset = queryset.filter(Q(name__icontains=q) | Q(place__icontains=q) | Q(description__icontains=q)
                                   | Q(address__icontains=q))
    if data.get("municipality"):
        queryset = queryset.filter(municipality=data["municipality"])
    if data.get("cell_office"):
        queryset = queryset.filter(cell_offices__gt=0)
    if data.get("max_price_day") is not None:
        queryset = queryset.filter(price_day__lte=data["max_price_day"])
    spaces = list(queryset)
    if data.get("open_now"):
        now = now or timezone.now()
        spaces = [s for s in spaces if s.is_open_at(now)]
    return spaces


def _grouped(spaces) -> list[tuple[str, list[Space]]]:
    names = municipalities()
    groups: dict[str, list[Space]] = {}
    for space in spaces:
        groups.setdefault(space.municipality, []).append(space)
    return [(names.get(code, code), groups[code]) for code in sorted(groups, key=lambda c: names.get(c, c))]


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@public_cache
def home(request):
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    spaces = filter_spaces(Space.objects.all(), data)
    base = _base_url(request)
    markers = [
        {"name": s.name, "lat": s.latitude, "lon": s.longitude, "url": s.get_absolute_url(),
         "place": s.place, "fictional": s.fictional}
        for s in spaces
    ]
    upcoming = Event.objects.filter(ends__gte=timezone.now()).select_related("space").order_by("starts", "pk")[:5]
    return render(request, "portal/home.html", {
        "form": form,
        "groups": _grouped(spaces),
        "count": len(spaces),
        "searched": bool(data and any(v not in (None, "", False) for v in data.values())),
        "map_data": {"center": region()["map"]["center"], "zoom": region()["map"]["zoom"], "markers": markers},
        "any_fictional": any(s.fictional for s in spaces),
        "upcoming": upcoming,
        "base_url": base,
    })


@public_cache
def space_detail(request, slug: str):
    space = get_object_or_404(Space, slug=slug)
    base = _base_url(request)
    events = space.events.filter(ends__gte=timezone.now()).order_by("starts", "pk")
    return render(request, "portal/space.html", {
        "space": space,
        "json_ld": json_ld(space, base),
        "record": space_record(space, base),
        "photos": space.photos.all(),
        "events": events,
        "open_now": space.is_open_at(timezone.now()),
        "can_book": can_book_guest_day(request.user, space),
        "can_edit": can_edit_space(request.user, space),
        "can_publish": can_publish_event(request.user, space),
        "can_record_use": can_record_use(request.user, space),
        "map_data": {"center": [space.latitude, space.longitude], "zoom": 12,
                     "markers": [{"name": space.name, "lat": space.latitude, "lon": space.longitude,
                                  "url": space.get_absolute_url(), "place": space.place,
                                  "fictional": space.fictional}]},
    })


def privacy(request):
    return render(request, "portal/privacy.html")


def about_data(request):
    return render(request, "portal/open_data.html", {"sources": sources()})


def set_language(request):
    """Switch the language by a plain GET form (no CSRF token, so public pages can be cached)."""
    from django.conf import settings
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    code = request.GET.get("language", "")
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax")
        if request.user.is_authenticated:  # the portal's mail to the person follows the choice
            from fjernarbeid.portal.models import Profile

            Profile.objects.filter(user=request.user).exclude(language=code).update(language=code)
    return response
