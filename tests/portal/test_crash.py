"""kill -9 of the server during a burst of bookings and confirmations, 100 times: no booking that the server
confirmed to its client is lost, none is half-written (a booking without its audit entry or the reverse), the
monthly quota holds and the database passes SQLite's integrity check."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import sqlite3
import subprocess
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client

from fjernarbeid.portal.models import GuestDay

from .conftest import PYTHON, make_space, make_user, portal_env

TRIALS = 100
CSRF = "k" * 32  # a CSRF secret of the valid form, sent as cookie and as form field


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _post(port: int, path: str, session: str, fields: dict) -> int | None:
    """The HTTP status, or None when the connection broke (the server was killed mid-request)."""
    body = urlencode(fields | {"csrfmiddlewaretoken": CSRF})
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Cookie": f"sessionid={session}; csrftoken={CSRF}"})
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return None


def test_kill_9_during_bookings_loses_nothing_confirmed(db, tmp_path):
    spaces = [make_space(f"s{i}", ["4618", "4619", "4620", "4622"][i % 4]) for i in range(4)]
    members = [make_user(f"m{i}@example.org", "member", spaces[i % 4]) for i in range(16)]
    hosts = [make_user(f"h{i}@example.org", "host", spaces[i]) for i in range(4)]
    member_sessions = [(m, _session(m)) for m in members]
    host_sessions = {h.profile.space_id: _session(h) for h in hosts}
    from django.db import connections

    connections["default"].close()

    rng = random.Random(9)
    first_day = dt.date.today() + dt.timedelta(days=2)
    server = subprocess.Popen([PYTHON, str(Path(__file__).with_name("_crash_server.py"))],
                              env=portal_env(Path(os.environ["FJERNARBEID_PORTAL_DATA"]), str(db)), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    booked: list[tuple[int, int, str]] = []      # (member id, space id, day) answered "booked" (302)
    confirmed: list[int] = []                     # booking ids answered "confirmed" (302)
    lock = threading.Lock()
    statuses = Counter()
    try:
        for trial in range(TRIALS):
            server.stdin.write("trial\n")
            server.stdin.flush()
            port = int(server.stdout.readline().split()[1])
            pending = list(GuestDay.objects.filter(status="requested").values_list("pk", "space_id")[:20])
            connections["default"].close()
            jobs = []
            for _ in range(4):
                member, session = rng.choice(member_sessions)
                space = rng.choice([s for s in spaces if s.pk != member.profile.space_id])
                day = (first_day + dt.timedelta(days=rng.randint(0, 700))).isoformat()
                jobs.append(("book", member.pk, space, day, session))
            for booking_id, space_id in rng.sample(pending, min(1, len(pending))):
                jobs.append(("confirm", booking_id, space_id, None, host_sessions[space_id]))

            answered = threading.Semaphore(0)
            kill_after = rng.randint(0, len(jobs) - 1)  # answers to wait for before the kill: 0 = at once

            def run(job):
                try:
                    send(job)
                finally:
                    answered.release()

            def send(job):
                kind, who, where, day, session = job
                if kind == "book":
                    status = _post(port, f"/spaces/{where.slug}/book/", session, {"day": day, "note": ""})
                    statuses[status] += 1
                    if status == 302:
                        with lock:
                            booked.append((who, where.pk, day))
                else:
                    status = _post(port, f"/guest-days/{who}/decide/", session, {"decision": "confirm"})
                    if status == 302:
                        with lock:
                            confirmed.append(who)

            threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
            for t in threads:
                t.start()
            for _ in range(kill_after):
                answered.acquire(timeout=60)
            server.stdin.write("kill\n")
            server.stdin.flush()
            assert server.stdout.readline().strip() == "done"
            for t in threads:
                t.join(timeout=30)
    finally:
        server.stdin.write("quit\n")
        server.stdin.flush()
        server.wait(timeout=30)

    print(f"kill -9 trials: {TRIALS}; bookings answered {len(booked)}, confirmations answered {len(confirmed)}, "
          f"booking requests cut by the kill {statuses[None]}, booking answers {dict(statuses)}")
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = con.execute("SELECT id, member_id, space_id, day, status FROM portal_guestday").fetchall()
    stored = {(m, s, d) for _id, m, s, d, _st in rows}
    assert [b for b in booked if b not in stored] == []  # no booking the client was told about is lost
    status_of = {i: st for i, _m, _s, _d, st in rows}
    assert [c for c in confirmed if status_of.get(c) != "confirmed"] == []
    audited = Counter(r[0] for r in con.execute(
        "SELECT object_id FROM portal_auditentry WHERE action = 'guest_day.request'"))
    assert {str(i) for i, *_ in rows} == set(audited) and set(audited.values()) == {1}  # none half-written
    confirm_audits = {r[0] for r in con.execute(
        "SELECT object_id FROM portal_auditentry WHERE action = 'guest_day.confirm'")}
    assert {str(i) for i, st in status_of.items() if st == "confirmed"} == confirm_audits
    per_month = Counter((m, d[:7]) for _i, m, _s, d, st in rows if st in ("requested", "confirmed"))
    assert max(per_month.values()) <= 5
    con.close()
    # The trials really completed work and really interrupted some (the kill comes after 0-4 of 5 answers).
    assert len(booked) >= TRIALS // 2 and len(confirmed) >= 10 and statuses[None] >= 10, statuses
