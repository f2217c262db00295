"""The portal's tests run Django in this process against a fresh SQLite database per test (a copy of one
migrated template), or start the real server (`fjernarbeid portal serve`) in a subprocess."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

_ROOT = Path(tempfile.mkdtemp(prefix="portal-tests-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)  # the template database, secret key and mail folder
os.environ["FJERNARBEID_PORTAL_DATA"] = str(_ROOT / "data")
os.environ["FJERNARBEID_PORTAL_DATABASE"] = str(_ROOT / "template.sqlite3")
os.environ["FJERNARBEID_PORTAL_TILES"] = ""

from fjernarbeid.portal import setup_django  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # the in-memory mail outbox; "testserver" as an allowed host
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; real hashing is Django's
call_command("migrate", interactive=False, verbosity=0)
connections["default"].close()
TEMPLATE = _ROOT / "template.sqlite3"
PYTHON = sys.executable


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated SQLite database for one test."""
    target = tmp_path / "portal.sqlite3"
    connections["default"].close()
    shutil.copyfile(TEMPLATE, target)
    connections["default"].settings_dict["NAME"] = str(target)
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    from django.core import mail

    mail.outbox = []
    yield target
    connections["default"].close()


def make_space(slug: str, municipality: str = "4622", **extra):
    from fjernarbeid.portal.models import Space

    values = dict(name=f"Space {slug}", slug=slug, municipality=municipality, place="Norheimsund",
                  address="Testvegen 1", latitude=60.37, longitude=6.14, capacity=10, open_desks=6, cell_offices=2,
                  meeting_rooms=1, broadband_mbps=500, open_days="1234567", opens=dt.time(0, 0),
                  closes=dt.time(23, 59), price_day=150, price_month=1500, contact_name="Test Person",
                  contact_email=f"{slug}@example.org", fictional=True)
    values.update(extra)
    return Space.objects.create(**values)


def make_user(username: str, role: str | None, space=None, password: str = "a-long-test-password"):
    from django.contrib.auth import get_user_model

    from fjernarbeid.portal.models import Profile

    user = get_user_model().objects.create_user(username=username, email=username, password=password,
                                                is_superuser=(role == "admin"), is_staff=(role == "admin"))
    if role:
        Profile.objects.create(user=user, role=role, space=space)
    return user


@pytest.fixture
def network(db):
    """Two spaces and a person of every role: admin, host of A, host of B, member of A, logged-in public."""
    a = make_space("a", "4622")
    b = make_space("b", "4618", place="Odda", latitude=60.07, longitude=6.55)
    people = {
        "admin": make_user("admin@example.org", "admin"),
        "host_a": make_user("host.a@example.org", "host", a),
        "host_b": make_user("host.b@example.org", "host", b),
        "member_a": make_user("member.a@example.org", "member", a),
        "member_b": make_user("member.b@example.org", "member", b),
        "registered": make_user("nobody@example.org", None),
    }
    return {"a": a, "b": b, **people}


def next_weekday(days_ahead: int = 7) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=days_ahead)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not listen on {port} within {timeout} s")


def portal_env(data_dir: Path, db: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FJERNARBEID_PORTAL_")}
    env["FJERNARBEID_PORTAL_DATA"] = str(data_dir)
    env["FJERNARBEID_PORTAL_TILES"] = ""
    if db:
        env["FJERNARBEID_PORTAL_DATABASE"] = db
    return env
