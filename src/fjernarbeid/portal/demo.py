"""The demonstration network: FICTIONAL spaces in Eidfjord, Kvam, Ullensvang and Ulvik, with people of every
role, events, guest days, goals and a year of use records.

Every space is named "Eksempel…" ("example"), flagged ``fictional`` and shown with a badge; addresses are on
made-up streets and contacts use the reserved example.org domain, so nothing here names a real business.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fjernarbeid.portal.models import Event, EventSignup, GuestDay, Goal, Profile, Space, UseRecord
from fjernarbeid.portal.region import places

DEMO_PASSWORD = "demo-passord-2025"  # printed by `fjernarbeid portal demo`; only for the local demonstration
DEMO_SEED = 2025

# slug, name, GeoNames place id, (cells, desks, meeting rooms), Mbit/s, day price, month price, key card, facilities
SPACES = [
    ("eksempel-eidfjord", "Eksempelkontoret Eidfjord", 3158668, (2, 8, 1), 500, 150, 1800, True,
     ["kitchen", "parking", "bike_storage"]),
    ("eksempel-norheimsund", "Eksempelhuset Norheimsund", 3144110, (6, 14, 2), 1000, 200, 2500, True,
     ["kitchen", "printer", "video_room", "step_free", "canteen"]),
    ("eksempel-oystese", "Eksempelloftet Øystese", 3142754, (0, 10, 1), 500, 120, 1500, False,
     ["kitchen", "parking"]),
    ("eksempel-alvik", "Eksempelrommet Ålvik", 3163256, (2, 4, 1), 300, 100, 1200, True, ["kitchen"]),
    ("eksempel-odda", "Eksempelverket Odda", 3143830, (8, 20, 3), 1000, 220, 2800, True,
     ["kitchen", "printer", "shower", "video_room", "step_free"]),
    ("eksempel-lofthus", "Eksempelkontoret Lofthus", 3147076, (1, 6, 1), 300, 120, 1400, False,
     ["kitchen", "bike_storage"]),
    ("eksempel-kinsarvik", "Eksempelstova Kinsarvik", 6639661, (3, 6, 1), 500, 150, 1600, True,
     ["kitchen", "parking", "step_free"]),
    ("eksempel-ulvik", "Eksempelbuda Ulvik", 3133314, (3, 8, 1), 500, 150, 1700, True,
     ["kitchen", "parking", "shower", "video_room"]),
]
_HASH: list[str] = []


def _demo_hash() -> str:
    from django.contrib.auth.hashers import make_password

    if not _HASH:
        _HASH.append(make_password(DEMO_PASSWORD))
    return _HASH[0]


FIRST_NAMES = ["Kari", "Ola", "Ingrid", "Lars", "Silje", "Jonas", "Marte", "Eirik", "Nora", "Sindre", "Ragnhild",
               "Torstein", "Hilde", "Magnus", "Solveig", "Per"]


def _user(username: str, name: str, role: str | None, space: Space | None, superuser: bool = False):
    # One hash for all demo accounts: hashing is slow by design, and they share the password anyway.
    user = get_user_model().objects.create(username=username, email=username, password=_demo_hash(), first_name=name,
                                           is_staff=superuser, is_superuser=superuser)
    if role:
        Profile.objects.create(user=user, role=role, space=space)
    return user


@transaction.atomic
def load_demo(today: dt.date | None = None, months: int = 12) -> dict:
    """Fill an empty database with the demonstration network; returns what was made and the log-ins."""
    if Space.objects.exists():
        raise ValueError("the database already has spaces; the demo loads only into an empty one")
    today = today or timezone.localdate()
    rng = random.Random(DEMO_SEED)
    by_id = {p.geonameid: p for p in places()}
    spaces = []
    for i, (slug, name, place_id, (cells, desks, rooms), mbps, day, month, key_card, facilities) in enumerate(SPACES):
        place = by_id[place_id]
        spaces.append(Space.objects.create(
            name=name, slug=slug, fictional=True, municipality=place.municipality, place=place.name,
            address=f"Eksempelvegen {i + 1}", postal_code="", latitude=round(place.latitude + 0.002 * (i % 3), 5),
            longitude=round(place.longitude + 0.003 * (i % 2), 5),
            description=("Fiktivt kontorfellesskap i demonstrasjonsnettverket. "
                         "Fictional coworking space of the demonstration network."),
            capacity=cells + desks + 2 * rooms, open_desks=desks, cell_offices=cells, meeting_rooms=rooms,
            broadband_mbps=mbps, opens=dt.time(7 + i % 2, 30 if i % 3 else 0), closes=dt.time(16 + i % 3, 0),
            open_days="12345" if i % 4 else "123456", key_card=key_card,
            staffed="09:00–14:00" if i % 2 == 0 else "", price_day=day, price_month=month, facilities=facilities,
            contact_name=f"{FIRST_NAMES[i]} Eksempel", contact_email=f"{slug}@example.org",
            contact_phone=f"+47 400 00 {i:03d}"[:15]))
    admin = _user("radet@example.org", "Regionrådet (demo)", Profile.ADMIN, None, superuser=True)
    hosts = [_user(f"vert.{s.slug.removeprefix('eksempel-')}@example.org", f"{FIRST_NAMES[i]} Eksempel",
                   Profile.HOST, s) for i, s in enumerate(spaces)]
    members = [_user(f"medlem{i + 1}@example.org", f"{FIRST_NAMES[(i + 5) % len(FIRST_NAMES)]} Medlem",
                     Profile.MEMBER, spaces[i % len(spaces)]) for i in range(12)]
    public = _user("publikum@example.org", "Publikum (demo)", None, None)

    # Events: welcome events (4.2), gatherings, courses in remote work (4.4).
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=7), dt.time(17, 0)))
    events = [
        ("Velkomstkveld for nye fjernarbeidarar", Event.WELCOME, spaces[1], 0, 30),
        ("Nettverkssamling for kontorfellesskapa i Hardanger", Event.GATHERING, None, 10, 60),
        ("Kurs: Godt digitalt samarbeid i Teams", Event.COURSE, spaces[4], 14, 12),
        ("Frukost for fjernarbeidarar", Event.GATHERING, spaces[7], 3, 15),
        ("Kurs: Leiing av distribuerte team", Event.COURSE, None, 21, 20),
        ("Velkomstlunsj i Eidfjord", Event.WELCOME, spaces[0], 5, 10),
    ]
    made_events = []
    for title, kind, space, offset, capacity in events:
        begins = start + dt.timedelta(days=offset)
        made_events.append(Event.objects.create(
            title=title, kind=kind, space=space, description="Fiktivt arrangement i demonstrasjonsnettverket.",
            starts=begins, ends=begins + dt.timedelta(hours=2), location="" if space else "Digitalt / Teams",
            capacity=capacity, fictional=True, created_by=admin))
    for member in members[:8]:
        EventSignup.objects.create(event=made_events[0], user=member)
    EventSignup.objects.create(event=made_events[2], user=members[1])

    # Guest days: some requested, some confirmed, in the coming weeks, on open days.
    for k, member in enumerate(members[:6]):
        host_space = spaces[(k + 3) % len(spaces)]
        day = today + dt.timedelta(days=3 + k)
        while str(day.isoweekday()) not in host_space.open_days:
            day += dt.timedelta(days=1)
        GuestDay.objects.create(member=member, space=host_space, day=day,
                                status=GuestDay.CONFIRMED if k % 2 else GuestDay.REQUESTED,
                                note="Demo")

    # A year of use records and the council's targets.
    first = today.replace(day=1)
    month_starts = []
    for back in range(months, 0, -1):
        m = (first.year * 12 + first.month - 1) - back
        month_starts.append(dt.date(m // 12, m % 12 + 1, 1))
    records = []
    for s_i, space in enumerate(spaces):
        for k, month in enumerate(month_starts):
            growth = 1 + 0.04 * k
            users = max(1, round(space.capacity * 0.5 * growth * rng.uniform(0.7, 1.1)))
            records.append(UseRecord(space=space, month=month, users=users, visits=users * rng.randint(4, 12),
                                     guest_days=rng.randint(0, 6), events=rng.randint(0, 2),
                                     occupancy_percent=round(min(100.0, 35 * growth * rng.uniform(0.8, 1.2)), 1),
                                     recorded_by=hosts[s_i]))
    UseRecord.objects.bulk_create(records)
    for metric, target in [(Goal.USERS, 10), (Goal.GUEST_DAYS, 25), (Goal.EVENTS, 8), (Goal.OCCUPANCY, 45)]:
        Goal.objects.create(metric=metric, target=target, valid_from=month_starts[0], set_by=admin)
    return {"spaces": len(spaces), "events": len(made_events), "use_records": len(records),
            "logins": {"admin": admin.username, "host": hosts[0].username, "member": members[0].username,
                       "public (no role)": public.username}, "password": DEMO_PASSWORD}


@transaction.atomic
def load_scale(n_spaces: int, n_records: int, seed: int = 1) -> None:
    """Add many fictional spaces and use records, for the benchmark (not for the demo)."""
    rng = random.Random(seed)
    all_places = places()
    new = []
    for i in range(n_spaces):
        place = all_places[i % len(all_places)]
        new.append(Space(name=f"Eksempel {i:04d}", slug=f"bench-{i:04d}", fictional=True, municipality=place.municipality,
                         place=place.name, address=f"Eksempelvegen {i}", latitude=place.latitude + rng.uniform(-0.05, 0.05),
                         longitude=place.longitude + rng.uniform(-0.05, 0.05), capacity=rng.randint(4, 40),
                         open_desks=rng.randint(2, 20), cell_offices=rng.randint(0, 8), meeting_rooms=rng.randint(0, 3),
                         broadband_mbps=rng.choice([100, 300, 500, 1000]), price_day=rng.randint(80, 300),
                         price_month=rng.randint(900, 3500), facilities=["kitchen"], contact_name="Demo",
                         contact_email=f"bench{i}@example.org"))
    Space.objects.bulk_create(new, batch_size=500)
    ids = list(Space.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    per_space = max(1, n_records // len(ids))
    records = []
    for space_id in ids:
        for k in range(per_space):
            m = 2000 * 12 + k
            records.append(UseRecord(space_id=space_id, month=dt.date(m // 12, m % 12 + 1, 1), users=rng.randint(1, 40),
                                     visits=rng.randint(5, 300), guest_days=rng.randint(0, 10), events=rng.randint(0, 3),
                                     occupancy_percent=rng.uniform(5, 95)))
    UseRecord.objects.bulk_create(records[:n_records], batch_size=2000)
