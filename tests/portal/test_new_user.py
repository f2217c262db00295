"""What a tester found using the portal as a new user: each test failed before its fix."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from fjernarbeid.portal.models import Event, GuestDay, Space, UseRecord

from .conftest import make_space, next_weekday
from .test_authorization import _event_form, _space_form


def _as(user, language: str | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
    client.force_login(user)
    return client


# 1. Dates at the ends of the calendar -------------------------------------------------------------------------

@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-01", "0001-01-01"])
def test_a_guest_day_at_the_calendars_ends_is_a_form_error_not_a_server_error(network, day):
    response = _as(network["member_a"]).post("/spaces/b/book/", {"day": day})
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode() or 'class="error"' in response.content.decode()
    assert not GuestDay.objects.exists()


@pytest.mark.parametrize("starts, ends", [("0001-01-01T00:30", "0001-01-01T02:00"),
                                          ("9999-12-31T20:00", "9999-12-31T23:59"),
                                          ("2031-05-05T17:00", "9999-12-31T23:59")])
def test_an_event_at_the_calendars_ends_is_a_form_error_not_a_server_error(network, starts, ends):
    admin = _as(network["admin"])
    response = admin.post("/events/new/", _event_form(None) | {"starts": starts, "ends": ends})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not Event.objects.exists()
    assert admin.get("/events/").status_code == 200 and Client().get("/events.ics").status_code == 200


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_use_record_or_target_at_the_calendars_ends_is_a_form_error(network, month):
    host = _as(network["host_a"])
    response = host.post("/spaces/a/use/", {"month": month, "users": 3, "visits": 10, "guest_days": 0, "events": 0,
                                            "occupancy_percent": 20})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not UseRecord.objects.exists()
    admin = _as(network["admin"])
    response = admin.post("/dashboard/", {"metric": "users_per_space", "target": 4, "valid_from": month})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert admin.get("/dashboard/").status_code == 200


# 2. Help and error texts are tied to their inputs ------------------------------------------------------------

def test_inputs_are_described_by_their_help_and_error_texts(network):
    html = _as(network["member_a"]).post("/spaces/b/book/", {"day": "not a day"}).content.decode()
    described = re.search(r'<input[^>]*id="id_day"[^>]*>', html).group(0)
    ids = re.search(r'aria-describedby="([^"]+)"', described).group(1).split()
    assert 'aria-invalid="true"' in described
    for ident in ids:
        assert f'id="{ident}"' in html, ident  # every id the input names is on the page
    host = _as(network["host_a"]).get("/spaces/a/edit/").content.decode()
    field = re.search(r'<textarea[^>]*id="id_description"[^>]*>', host).group(0)
    help_id = re.search(r'aria-describedby="([^"]+)"', field).group(1)
    assert f'id="{help_id}"' in host


# 3. Nynorsk ---------------------------------------------------------------------------------------------------

def test_the_nynorsk_catalogue_has_no_bokmal_forms():
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "src/fjernarbeid/portal/locale/nn/LC_MESSAGES/django.po"
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    bokmal = re.compile(r"\b(betent|ukjent|melde deg|bekreft\w*|ikke|hjem|noen|mange takk|kunne ikke|"
                        r"hvor|hva|hvem|hvordan|jeg|dere|fra|også|bare|etter at den)\b", re.I)
    found = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [s for s in strings if s and bokmal.search(s)]
    assert found == []


# 4. Use cannot be recorded for a month to come -----------------------------------------------------------------

def test_use_cannot_be_recorded_for_a_month_to_come(network):
    host = _as(network["host_a"], "en")
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")
    data = {"users": 3, "visits": 10, "guest_days": 0, "events": 0, "occupancy_percent": 20}
    response = host.post("/spaces/a/use/", data | {"month": next_month})
    assert response.status_code == 200 and "has not begun" in response.content.decode()
    assert not UseRecord.objects.exists()
    this_month = timezone.localdate().strftime("%Y-%m")
    assert host.post("/spaces/a/use/", data | {"month": this_month}).status_code == 302


# 6. Error pages in the portal's layout and language ------------------------------------------------------------

def test_not_found_page_is_the_portals_and_in_the_visitors_language(network):
    for language, text in (("nn", "Fann ikkje sida"), ("nb", "Fant ikke siden"), ("en", "Page not found")):
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/spaces/no-such-space/")
        html = response.content.decode()
        assert response.status_code == 404 and text in html and f'lang="{language}"' in html
        assert 'class="top"' in html  # the portal's header and menu


def test_server_error_page_is_the_portals_and_in_the_visitors_language(network):
    from fjernarbeid.portal.views import directory

    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    with mock.patch.object(directory, "render", side_effect=RuntimeError("boom")):
        response = client.get("/privacy/")
    html = response.content.decode()
    assert response.status_code == 500 and "Something went wrong" in html and 'lang="en"' in html
    assert "boom" not in html


def test_csrf_failure_page_explains_in_the_visitors_language(network):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="nb")
    response = client.post("/interest/", {"name": "x"})
    html = response.content.decode()
    assert response.status_code == 403 and 'lang="nb"' in html and "Skjemaet" in html and 'class="top"' in html


def test_permission_denied_page_is_the_portals(network):
    response = _as(network["member_a"], "en").get("/council/interest/")
    assert response.status_code == 403 and "not allowed" in response.content.decode()


# 7. Right-to-left text is isolated ----------------------------------------------------------------------------

def test_right_to_left_names_are_isolated_from_the_text_around_them(network):
    arabic = "مساحة العمل"
    Space.objects.filter(slug="a").update(name=arabic, place="بيرغن")
    start = timezone.now() + dt.timedelta(days=3)
    Event.objects.create(title="لقاء", kind="course", space=network["a"], starts=start,
                         ends=start + dt.timedelta(hours=1), capacity=2)
    for path in ("/", "/spaces/a/", "/events/"):
        html = Client().get(path).content.decode()
        assert f"<bdi>{arabic}</bdi>" in html, path
    assert "<bdi>لقاء</bdi>" in Client().get("/events/").content.decode()


# 8. Mail in the recipient's language --------------------------------------------------------------------------

def test_decision_mail_is_in_the_members_language_not_the_hosts(network):
    profile = network["member_a"].profile
    profile.language = "nb"
    profile.save()
    day = next_weekday(9)
    assert _as(network["member_a"]).post("/spaces/b/book/", {"day": day.isoformat()}).status_code == 302
    booking = GuestDay.objects.get()
    _as(network["host_b"], "en").post(f"/guest-days/{booking.pk}/decide/", {"decision": "confirm"})
    sent = mail.outbox[-1]
    assert sent.to == ["member.a@example.org"] and sent.subject.startswith("Gjestedag bekreftet")


def test_a_host_is_told_of_a_request_in_the_hosts_language(network):
    profile = network["host_b"].profile
    profile.language = "en"
    profile.save()
    day = next_weekday(9)
    _as(network["member_a"], "nb").post("/spaces/b/book/", {"day": day.isoformat()})
    sent = [m for m in mail.outbox if m.to == ["host.b@example.org"]]
    assert len(sent) == 1 and sent[0].subject.startswith("Guest day requested")


def test_registration_remembers_the_language_the_person_used(network):
    Client(HTTP_ACCEPT_LANGUAGE="en").post("/register/", {"email": "new@example.org", "name": "New",
                                                          "space": network["a"].pk,
                                                          "password": "fjord-og-fjell-2025"})
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="new@example.org").profile.language == "en"
    assert mail.outbox[-1].subject == "Confirm your e-mail address"


def test_switching_the_language_is_remembered_for_mail(network):
    client = _as(network["member_a"])
    client.get("/language/", {"language": "en", "next": "/"})
    network["member_a"].profile.refresh_from_db()
    assert network["member_a"].profile.language == "en"


# 9. Descriptions have a limit ---------------------------------------------------------------------------------

def test_a_description_longer_than_5000_characters_is_a_form_error(network):
    host = _as(network["host_a"], "en")
    response = host.post("/spaces/a/edit/", _space_form(network["a"], description="x" * 5001))
    assert response.status_code == 200 and "at most 5" in response.content.decode()
    assert host.post("/spaces/a/edit/", _space_form(network["a"], description="x" * 5000)).status_code == 302
    response = host.post("/events/new/", _event_form(network["a"].pk) | {"description": "y" * 5001})
    assert response.status_code == 200 and not Event.objects.exists()
    assert Space._meta.get_field("description").max_length == Event._meta.get_field("description").max_length == 5000


# 10. Sources in the page's language ---------------------------------------------------------------------------

def test_sources_are_shown_in_the_pages_language(network):
    nn = Client(HTTP_ACCEPT_LANGUAGE="nn").get("/open-data/").content.decode()
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get("/open-data/").content.decode()
    assert "Statistisk sentralbyrå" in nn and "folketal" in nn and "population 1 January" not in nn
    assert "population 1 January 2025" in en
    assert "Statistisk sentralbyrå" in Client(HTTP_ACCEPT_LANGUAGE="nn").get("/coverage/").content.decode()


# 11. Numbers and dates per language ---------------------------------------------------------------------------

def test_numbers_and_dates_are_written_the_languages_way(network):
    Space.objects.filter(slug="a").update(price_month=12500)
    start = timezone.make_aware(dt.datetime(timezone.localdate().year + 1, 12, 5, 17, 0))
    Event.objects.create(title="Kurs", kind="course", space=network["a"], starts=start,
                         ends=start + dt.timedelta(hours=1), capacity=1500)
    nn = Client(HTTP_ACCEPT_LANGUAGE="nn")
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "12\xa0500 kr per månad" in nn.get("/spaces/a/").content.decode()
    assert "NOK 12,500 a month" in en.get("/spaces/a/").content.decode()
    year = start.year
    assert f"5. desember {year}" in nn.get("/events/").content.decode()
    english = en.get("/events/").content.decode()
    assert f"5. December {year}" not in english and f"Dec. 5, {year}" in english
    assert "1,500 places" in english


# 12. Events in order ------------------------------------------------------------------------------------------

def test_events_are_listed_soonest_first_everywhere(network):
    now = timezone.now()
    for title, days in (("Third", 30), ("First", 2), ("Second", 10)):
        event = Event.objects.create(title=title, kind="course", space=network["a"],
                                     starts=now + dt.timedelta(days=days),
                                     ends=now + dt.timedelta(days=days, hours=2), capacity=5)
        _as(network["member_b"]).post(f"/events/{event.pk}/sign-up/")

    def order(html):
        return sorted(("First", "Second", "Third"), key=html.index)

    assert order(Client().get("/events/").content.decode()) == ["First", "Second", "Third"]
    assert [e["title"] for e in Client().get("/api/events").json()["events"]] == ["First", "Second", "Third"]
    assert order(Client().get("/").content.decode()) == ["First", "Second", "Third"]
    assert order(_as(network["member_b"]).get("/me/").content.decode()) == ["First", "Second", "Third"]


# 13. Found on the way ---------------------------------------------------------------------------------------

def test_a_search_error_names_the_field_by_its_label_and_is_tied_to_the_input(network):
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/", {"max_price_day": "-5"}).content.decode()
    assert "Highest day price (NOK): " in html and "<li>max_price_day" not in html
    field = re.search(r'<input[^>]*id="id_max_price_day"[^>]*>', html).group(0)
    assert 'aria-describedby="id_max_price_day_error"' in field and 'id="id_max_price_day_error"' in html
