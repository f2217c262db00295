"""The portal in this process: directory, search, open data, bookings, events, interest, uploads, security."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core import mail
from django.test import Client
from icalendar import Calendar

from fjernarbeid.portal.models import AuditEntry, EventSignup, GuestDay, Interest, SpacePhoto

from .conftest import make_space, make_user, next_weekday


def test_front_page_lists_spaces_by_municipality_and_works_without_javascript(network):
    html = Client().get("/").content.decode()
    assert html.index("Kvam") < html.index("Space a") and html.index("Ullensvang") < html.index("Space b")
    assert 'href="/spaces/a/"' in html and 'href="/spaces/b/"' in html  # the list links every space


def test_search_filters(network):
    make_space("cheap", "4620", name="Cheap loft", place="Ulvik", cell_offices=0, price_day=90)
    client = Client()

    def names(query):
        return [s["slug"] for s in client.get("/api/spaces", query).json()["spaces"]]

    assert names({"municipality": "4620"}) == ["cheap"]
    assert "cheap" not in names({"cell_office": "on"})
    assert names({"max_price_day": 100}) == ["cheap"]
    assert names({"q": "loft"}) == ["cheap"]
    assert client.get("/api/spaces", {"max_price_day": "many"}).status_code == 400


def test_space_page_has_schema_org_json_ld(network):
    html = Client().get("/spaces/a/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "CoworkingSpace" and data["name"] == "Space a"
    assert data["geo"]["latitude"] == pytest.approx(60.37)
    assert data["address"]["addressRegion"] == "Kvam"


def test_hostile_input_is_escaped_in_html_and_json_ld(db):
    evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>'
    make_space("evil", name=evil, description=evil)
    html = Client().get("/spaces/evil/").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    home = Client().get("/").content.decode()
    assert "<script>alert(1)" not in home
    response = Client().get("/spaces/evil/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_hostile_input_from_the_public_is_escaped_for_the_council(network):
    evil = '"><script>alert(3)</script>'
    Client().post("/interest/", {"name": evil, "email": "x@example.org", "lives_now": evil, "message": evil,
                                 "consent": "on"})
    assert Interest.objects.filter(name=evil).exists()  # stored as written ...
    council = Client()
    council.force_login(network["admin"])
    page = council.get("/council/interest/").content.decode()
    assert "<script>alert(3)" not in page and "&lt;script&gt;alert(3)" in page  # ... and shown as text
    export = council.get("/council/interest.csv").content.decode("utf-8-sig")
    assert evil in export  # the CSV keeps the text; it is data, not markup
    Client().post("/interest/", {"name": '=HYPERLINK("http://x.example","open")', "email": "y@example.org",
                                 "lives_now": "Oslo", "consent": "on"})
    rows = list(csv.reader(io.StringIO(council.get("/council/interest.csv").content.decode("utf-8-sig"))))
    assert any(row[2] == "'=HYPERLINK(\"http://x.example\",\"open\")" for row in rows)  # inert in a spreadsheet


def test_csrf_is_required_for_posts(network):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/interest/", {"name": "x", "email": "x@example.org", "lives_now": "Oslo", "consent": "on"})
    assert response.status_code == 403
    assert not Interest.objects.exists()


def test_open_data_formats_agree(network):
    client = Client()
    api = client.get("/api/spaces").json()
    geo = client.get("/spaces.geojson").json()
    rows = list(csv.DictReader(io.StringIO(client.get("/spaces.csv").content.decode("utf-8-sig"))))
    assert api["count"] == len(geo["features"]) == len(rows) == 2
    feature = next(f for f in geo["features"] if f["properties"]["slug"] == "b")
    assert feature["geometry"]["coordinates"] == [6.55, 60.07]  # GeoJSON: longitude first
    assert {r["slug"] for r in rows} == {"a", "b"}


def test_openapi_document_lists_every_open_data_path_and_they_answer(network):
    client = Client()
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for path in document["paths"]:
        url = path.replace("{slug}", "a")
        assert client.get(url).status_code == 200, url
    space = client.get("/api/spaces/a").json()
    assert set(document["paths"]["/api/spaces/{slug}"]["get"]["responses"]["200"]["content"]["application/json"]
               ["schema"]["required"]) == set(space)


def test_guest_day_quota_confirmation_mail_and_ical(network):
    client = Client()
    client.force_login(network["member_a"])
    base = next_weekday(35).replace(day=1)
    days = [base.replace(day=d) for d in range(1, 8)]
    for day in days[:5]:
        assert client.post("/spaces/b/book/", {"day": day.isoformat()}).status_code == 302
    refused = client.post("/spaces/b/book/", {"day": days[5].isoformat()})
    assert refused.status_code == 200 and GuestDay.objects.filter(member=network["member_a"]).count() == 5
    assert "5" in refused.content.decode()
    # The host confirms one; the member gets a mail with a calendar entry.
    host = Client()
    host.force_login(network["host_b"])
    booking = GuestDay.objects.filter(member=network["member_a"]).first()
    assert host.post(f"/guest-days/{booking.pk}/decide/", {"decision": "confirm"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.decided_by == network["host_b"]
    sent = mail.outbox[-1]
    assert sent.to == ["member.a@example.org"]
    name, content, mimetype = sent.attachments[0]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booking.day
    # A declined or cancelled day frees the quota.
    client.post(f"/guest-days/{booking.pk}/cancel/")
    assert client.post("/spaces/b/book/", {"day": days[5].isoformat()}).status_code == 302


def test_member_cannot_book_at_home_space(network):
    client = Client()
    client.force_login(network["member_a"])
    assert client.post("/spaces/a/book/", {"day": next_weekday(5).isoformat()}).status_code == 403


def test_event_capacity(network):
    import datetime as dt

    from django.utils import timezone

    from fjernarbeid.portal.models import Event

    start = timezone.now() + dt.timedelta(days=3)
    event = Event.objects.create(title="Kurs", kind="course", space=network["a"], starts=start,
                                 ends=start + dt.timedelta(hours=1), capacity=2)
    people = [network["member_a"], network["member_b"], network["host_a"]]
    for person in people:
        client = Client()
        client.force_login(person)
        client.post(f"/events/{event.pk}/sign-up/")
    assert EventSignup.objects.filter(event=event).count() == 2
    feed = Calendar.from_ical(Client().get("/events.ics").content)
    assert [str(e["summary"]) for e in feed.walk("VEVENT")] == ["Kurs"]


def test_interest_needs_consent_and_deletion_really_deletes(db, tmp_path):
    client = Client()
    form = {"name": "Ola Flytt", "email": "ola.flytt@example.org", "lives_now": "Oslo", "needs": ["school"]}
    assert client.post("/interest/", form).status_code == 200 and not Interest.objects.exists()  # no consent
    response = client.post("/interest/", form | {"consent": "on"})
    lead = Interest.objects.get()
    assert lead.consent and "to år" in lead.consent_text  # the wording shown, in nynorsk by default
    link = re.search(r"/interest/delete/[^\s\"<]+/", mail.outbox[-1].body).group(0)
    assert link in response.content.decode()
    admin = make_user("council@example.org", "admin")
    council = Client()
    council.force_login(admin)
    export = council.get("/council/interest.csv").content.decode("utf-8-sig")
    assert "ola.flytt@example.org" in export
    assert client.post(link).status_code == 200
    assert not Interest.objects.exists()
    from django.db import connection

    connection.close()  # the file on disk: the address must be gone, not only hidden (SQLite secure_delete)
    entry = AuditEntry.objects.filter(action="interest.delete").get()
    assert b"ola.flytt@example.org" not in _checkpointed(db)
    assert "ola" not in json.dumps(entry.detail)


def _checkpointed(path):
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path.read_bytes()


def test_uploads_are_checked_for_type_and_size(network, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client = Client()
    client.force_login(network["host_a"])
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = client.post("/spaces/a/photos/", {"image": fake, "alt_text": "x"})
    assert response.status_code == 200 and not SpacePhoto.objects.exists()
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 1), content_type="image/jpeg")
    assert client.post("/spaces/a/photos/", {"image": big, "alt_text": "x"}).status_code == 200
    assert not SpacePhoto.objects.exists()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 100)).save(buffer, "PNG")
    good = SimpleUploadedFile("x.exe", buffer.getvalue(), content_type="application/octet-stream")
    assert client.post("/spaces/a/photos/", {"image": good, "alt_text": "The room"}).status_code == 302
    photo = SpacePhoto.objects.get()
    assert photo.image.name.endswith(".png")
    served = Client().get(f"/photos/{photo.pk}/")
    assert served["Content-Type"] == "image/png"


def test_login_is_rate_limited(network):
    client = Client()
    for _ in range(5):
        assert client.post("/login/", {"username": "host.a@example.org", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "host.a@example.org", "password": "a-long-test-password"}).status_code == 429


def test_registration_confirms_by_mail(network):
    client = Client()
    response = client.post("/register/", {"email": "Ny@Example.org", "name": "Ny", "space": network["a"].pk,
                                          "password": "fjord-og-fjell-2025"})
    assert response.status_code == 200
    assert not client.login(username="ny@example.org", password="fjord-og-fjell-2025")  # not confirmed yet
    link = re.search(r"http://testserver(/register/confirm/\S+/)", mail.outbox[-1].body).group(1)
    assert client.get(link).status_code == 302
    assert client.login(username="ny@example.org", password="fjord-og-fjell-2025")
    assert client.get(link[:-5] + "xx/").status_code == 400


def test_language_switch_nynorsk_bokmal_english(network):
    client = Client()
    assert "Kontorfellesskap i" in client.get("/", HTTP_ACCEPT_LANGUAGE="nn").content.decode()
    client.get("/language/", {"language": "nb", "next": "/"})
    assert "Kontorfellesskap i" in client.get("/").content.decode()
    assert 'lang="nb"' in client.get("/").content.decode()
    assert client.get("/language/", {"language": "en", "next": "https://elsewhere.example/"})["Location"] == "/"
    assert "Coworking in" in client.get("/").content.decode()


def test_dashboard_and_coverage(network):
    from fjernarbeid.portal.demo import load_scale

    admin = Client()
    admin.force_login(network["admin"])
    admin.post("/dashboard/", {"metric": "users_per_space", "target": 10, "valid_from": "2000-01"})
    load_scale(3, 9)
    page = admin.get("/dashboard/").content.decode()
    assert "<svg" in page
    rows = list(csv.DictReader(io.StringIO(admin.get("/dashboard.csv").content.decode("utf-8-sig"))))
    assert any(r["measure"] == "users_per_space" and r["target"] == "10.0" for r in rows)
    coverage = Client().get("/coverage/").content.decode()
    assert "Eidfjord" in coverage and "km" in coverage


def test_compiled_catalogues_match_their_sources():
    """The committed .mo files are compiled from the committed .po files (a fresh clone needs no msgfmt)."""
    import gettext
    from pathlib import Path

    locale = Path(__file__).resolve().parents[2] / "src/fjernarbeid/portal/locale"
    for language in ("nn", "nb"):
        po = (locale / language / "LC_MESSAGES/django.po").read_text(encoding="utf-8")
        with open(locale / language / "LC_MESSAGES/django.mo", "rb") as handle:
            catalogue = gettext.GNUTranslations(handle)
        ids = re.findall(r'^msgid "(.+)"$', po, re.M)
        assert len(ids) > 250
        untranslated = [i for i in ids if "\\" not in i and catalogue.gettext(i) == i and i not in ("Status", "Send")]
        assert untranslated == [], (language, untranslated[:5])


def test_public_pages_are_cached_until_the_data_change(network):
    from fjernarbeid.portal.models import Space

    visitor = Client()
    assert "Space a" in visitor.get("/").content.decode()
    Space.objects.filter(slug="a").update(name="Changed behind the portal's back")  # no signal: no new version
    assert "Space a" in visitor.get("/").content.decode()  # served from the cache
    host = Client()
    host.force_login(network["host_a"])
    from .test_authorization import _space_form

    assert host.post("/spaces/a/edit/", _space_form(network["a"], name="Fjordloftet")).status_code == 302
    assert "Fjordloftet" in visitor.get("/").content.decode()  # the edit shows at once
    assert visitor.get("/api/spaces/a").json()["name"] == "Fjordloftet"
    assert "Fjordloftet" in host.get("/spaces/a/").content.decode()


def test_council_loads_a_travel_time_table_and_bad_rows_are_named(network):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fjernarbeid.portal.models import TravelTime

    council = Client()
    council.force_login(network["admin"])
    bad = SimpleUploadedFile("t.csv", b"geonameid,space,minutes\n3150805,a,40\n3150805,nowhere,10\n")
    page = council.post("/coverage/", {"table": bad}).content.decode()
    assert "nowhere" in page and not TravelTime.objects.exists()  # the bad line is named, nothing is loaded
    good = SimpleUploadedFile("t.csv", b"geonameid,space,minutes\n3150805,a,40\n3150805,b,95\n")
    assert council.post("/coverage/", {"table": good}).status_code == 302
    assert TravelTime.objects.count() == 2
    page = Client().get("/coverage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nearest space by the loaded travel-time table" in page and "<th scope=\"col\">Minutes</th>" in page
    host = Client()
    host.force_login(network["host_a"])
    assert host.post("/coverage/", {"table": good}).status_code == 403


def test_simultaneous_bookings_cannot_pass_the_quota_together(network):
    """Eight requests for eight days of one month at the same moment: exactly five get through."""
    import threading

    from django.db import connections

    day_one = next_weekday(40).replace(day=1)
    days = [day_one.replace(day=d) for d in range(1, 9)]
    start = threading.Barrier(len(days))
    statuses = []

    def book(day):
        client = Client()
        client.force_login(network["member_a"])
        start.wait()
        statuses.append(client.post("/spaces/b/book/", {"day": day.isoformat()}).status_code)
        connections.close_all()

    threads = [threading.Thread(target=book, args=(d,)) for d in days]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200, 200, 302, 302, 302, 302, 302]
    assert GuestDay.objects.filter(member=network["member_a"], day__in=days).count() == 5


def test_a_line_break_in_a_space_name_breaks_neither_the_decision_mail_nor_the_calendar(network):
    """A name edited with a line break ("Space b\r\nBcc: …", by a crafted form post) made the mail's subject a
    multi-line header (Django refuses it) and the calendar's name a line icalendar refuses to write: the host's
    decision, the attachment and the space's events.ics ended in a server error."""
    space = network["host_b"].profile.space
    space.name = "Space b\r\nBcc: someone@example.org"
    space.save()
    client = Client()
    client.force_login(network["member_a"])
    assert client.post("/spaces/b/book/", {"day": next_weekday(35).isoformat()}).status_code == 302
    host = Client()
    host.force_login(network["host_b"])
    booking = GuestDay.objects.get(member=network["member_a"])
    assert host.post(f"/guest-days/{booking.pk}/decide/", {"decision": "confirm"}).status_code == 302
    sent = mail.outbox[-1]
    assert "Space b Bcc: someone@example.org" in sent.subject
    assert "\n" not in sent.subject and "\r" not in sent.subject and sent.bcc == []
    assert Client().get("/spaces/b/events.ics").status_code == 200  # its calendar feed failed the same way
