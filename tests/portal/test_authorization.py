"""Every role × every write action: who may change what. A refused request changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fjernarbeid.portal.models import AuditEntry, Event, EventSignup, GuestDay, Goal, Interest, Space, UseRecord

from .conftest import next_weekday

ROLES = ["anonymous", "registered", "member_a", "host_a", "host_b", "admin"]


def _space_form(space: Space, **changes) -> dict:
    data = {f: getattr(space, f) for f in [
        "name", "slug", "municipality", "place", "address", "postal_code", "latitude", "longitude", "description",
        "capacity", "open_desks", "cell_offices", "meeting_rooms", "broadband_mbps", "open_days", "staffed",
        "price_day", "price_month", "contact_name", "contact_email", "contact_phone", "website"]}
    data.update(opens="08:00", closes="16:00", facilities=["kitchen"])
    if space.key_card:
        data["key_card"] = "on"
    data.update(changes)
    return data


def _event_form(space_id, title="Matrix event") -> dict:
    return {"title": title, "kind": "gathering", "space": space_id or "", "description": "x",
            "starts": "2031-05-05T17:00", "ends": "2031-05-05T19:00", "location": "", "capacity": 10}


# name -> (method, path(net), data(net), effect(net) -> bool, roles allowed)
def actions():
    day = next_weekday(10).isoformat()
    return {
        "create space": ("post", lambda n: "/spaces/new/",
                         lambda n: _space_form(n["a"], slug="new-space", name="New"),
                         lambda n: Space.objects.filter(slug="new-space").exists(), {"admin"}),
        "edit space A": ("post", lambda n: "/spaces/a/edit/",
                                 lambda n: _space_form(n["a"], name="Renamed A"),
                                 lambda n: Space.objects.get(slug="a").name == "Renamed A", {"admin", "host_a"}),
        # host_a editing B (and host_b editing A above) is editing another host's space: refused.
        "edit space B": ("post", lambda n: "/spaces/b/edit/", lambda n: _space_form(n["b"], name="Renamed B"),
                         lambda n: Space.objects.get(slug="b").name == "Renamed B", {"admin", "host_b"}),
        "record use at A": ("post", lambda n: "/spaces/a/use/",
                            lambda n: {"month": "2025-01", "users": 5, "visits": 20, "guest_days": 1, "events": 0,
                                       "occupancy_percent": 40},
                            lambda n: UseRecord.objects.filter(space=n["a"]).exists(), {"admin", "host_a"}),
        "book guest day at B": ("post", lambda n: "/spaces/b/book/", lambda n: {"day": day, "note": ""},
                                lambda n: GuestDay.objects.filter(space=n["b"], day=day).exists(), {"member_a"}),
        "confirm B's guest day": ("post", lambda n: f"/guest-days/{n['booking'].pk}/decide/",
                                  lambda n: {"decision": "confirm"},
                                  lambda n: GuestDay.objects.get(pk=n["booking"].pk).status == "confirmed",
                                  {"admin", "host_b"}),
        "decline B's guest day": ("post", lambda n: f"/guest-days/{n['booking'].pk}/decide/",
                                  lambda n: {"decision": "decline"},
                                  lambda n: GuestDay.objects.get(pk=n["booking"].pk).status == "declined",
                                  {"admin", "host_b"}),
        "cancel member A's guest day": ("post", lambda n: f"/guest-days/{n['booking'].pk}/cancel/", lambda n: {},
                                        lambda n: GuestDay.objects.get(pk=n["booking"].pk).status == "cancelled",
                                        {"member_a"}),
        "publish event at A": ("post", lambda n: "/events/new/", lambda n: _event_form(n["a"].pk),
                               lambda n: Event.objects.filter(title="Matrix event").exists(), {"admin", "host_a"}),
        "publish region-wide event": ("post", lambda n: "/events/new/", lambda n: _event_form(None),
                                      lambda n: Event.objects.filter(title="Matrix event").exists(), {"admin"}),
        "edit B's event": ("post", lambda n: f"/events/{n['event_b'].pk}/edit/",
                           lambda n: _event_form(n["b"].pk, title="Changed"),
                           lambda n: Event.objects.get(pk=n["event_b"].pk).title == "Changed", {"admin", "host_b"}),
        "sign up for event": ("post", lambda n: f"/events/{n['event_b'].pk}/sign-up/", lambda n: {},
                              lambda n: EventSignup.objects.exists(), {"admin", "host_a", "host_b", "member_a"}),
        "set a goal": ("post", lambda n: "/dashboard/",
                       lambda n: {"metric": "guest_days", "target": 30, "valid_from": "2031-01"},
                       lambda n: Goal.objects.exists(), {"admin"}),
        "delete a lead": ("post", lambda n: f"/council/interest/{n['lead'].pk}/delete/", lambda n: {},
                          lambda n: not Interest.objects.filter(pk=n["lead"].pk).exists(), {"admin"}),
        "register interest": ("post", lambda n: "/interest/",
                              lambda n: {"name": "Ny", "email": "ny@example.org", "lives_now": "Oslo",
                                         "needs": ["cell_office"], "consent": "on"},
                              lambda n: Interest.objects.filter(email="ny@example.org").exists(), set(ROLES)),
    }


def reads():
    """Pages with personal or internal data: only the roles named may see them."""
    return {
        "see leads": ("/council/interest/", {"admin"}),
        "export leads": ("/council/interest.csv", {"admin"}),
        "audit log": ("/council/audit/", {"admin"}),
        "dashboard": ("/dashboard/", {"admin", "host_a", "host_b"}),
        "B's guest-day calendar": (lambda n: f"/guest-days/{n['confirmed'].pk}.ics", {"admin", "host_b", "member_a"}),
    }


def _client(net, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(net[role])
    return client


def _prepare(net):
    from django.utils import timezone

    net["booking"] = GuestDay.objects.create(member=net["member_a"], space=net["b"], day=next_weekday(12))
    net["confirmed"] = GuestDay.objects.create(member=net["member_a"], space=net["b"], day=next_weekday(13),
                                               status="confirmed")
    start = timezone.now() + dt.timedelta(days=30)
    net["event_b"] = Event.objects.create(title="B event", kind="course", space=net["b"], starts=start,
                                          ends=start + dt.timedelta(hours=2), capacity=5)
    net["lead"] = Interest.objects.create(name="Lead", email="lead@example.org", lives_now="Bergen", consent=True,
                                          consent_text="x")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(actions()))
def test_write_action(network, action, role):
    _prepare(network)
    method, path, data, effect, allowed = actions()[action]
    audit_before = AuditEntry.objects.count()
    response = getattr(_client(network, role), method)(path(network), data(network))
    if role in allowed:
        assert response.status_code in (200, 302), (action, role, response.status_code)
        assert effect(network), f"{role} may {action}, but nothing changed ({response.status_code})"
        assert AuditEntry.objects.count() > audit_before, f"{action} by {role} left no audit entry"
    else:
        assert response.status_code in (200, 302, 403, 404), (action, role, response.status_code)
        if response.status_code == 200:  # a form shown again with the reason (e.g. a host's event without a space)
            assert b'role="alert"' in response.content
        if response.status_code == 302:
            assert "/login/" in response["Location"]
        assert not effect(network), f"{role} must not {action}, but it happened"
        assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(reads()))
def test_private_pages(network, page, role):
    _prepare(network)
    path, allowed = reads()[page]
    url = path(network) if callable(path) else path
    response = _client(network, role).get(url)
    if role in allowed:
        assert response.status_code == 200, (page, role)
    else:
        assert response.status_code in (302, 403, 404), (page, role, response.status_code)
        assert b"lead@example.org" not in response.content
