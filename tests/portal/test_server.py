"""The command line and the real server: `fjernarbeid portal init|demo|serve|backup|restore`, on SQLite and on
PostgreSQL (the machine's server on 127.0.0.1:5432; skipped with a message when none answers)."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest

from .conftest import PYTHON, free_port, portal_env, wait_for_port

PG_URL = "postgresql://postgres@127.0.0.1:5432/"


def portal(*args, env, check=True, timeout=180):
    result = subprocess.run([PYTHON, "-m", "fjernarbeid", "portal", *args], env=env, capture_output=True,
                            text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _get(port: int, path: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.status, response.read()


_WHOLE_SECOND = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.000(Z|[+-]\d\d:\d\d)?$")


def _data(backup: Path) -> list:
    """The backup's objects, sorted. Django's serializer writes times to the millisecond: a time whose microseconds
    are below 1,000 is written '…:36.000Z', read back as a whole second and written again as '…:36Z' — the same
    instant, so both are written here as the latter (before, the test failed now and then: a fresh-clone run on
    6 December 2026)."""
    with zipfile.ZipFile(backup) as archive:
        objects = json.loads(archive.read("data.json"))
    for o in objects:
        o["fields"] = {k: _WHOLE_SECOND.sub(r"\1\2", v) if isinstance(v, str) else v for k, v in o["fields"].items()}
    return sorted(objects, key=lambda o: (o["model"], str(o["pk"])))


def test_no_model_change_lacks_a_migration(db):
    from django.core.management import call_command

    call_command("makemigrations", "portal", check=True, dry_run=True, verbosity=0)


def test_migrations_run_backwards_to_empty_and_forwards_again(db):
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "portal", "zero", interactive=False, verbosity=0)
    assert "portal_space" not in connection.introspection.table_names()
    call_command("migrate", interactive=False, verbosity=0)
    assert {"portal_space", "portal_guestday", "portal_auditentry"} <= set(connection.introspection.table_names())


def test_backup_and_restore_give_the_same_data_and_refuse_a_full_database(db, tmp_path):
    """In this process on SQLite: demo -> backup -> restore into an empty database -> the same backup again."""
    import shutil

    from django.db import connections

    from fjernarbeid.portal import server
    from fjernarbeid.portal.demo import load_demo

    from .conftest import TEMPLATE

    load_demo()
    backup = tmp_path / "backup.zip"
    assert server.backup(backup)["objects"] > 100
    second = tmp_path / "second.sqlite3"
    shutil.copyfile(TEMPLATE, second)
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = str(second)
    server.restore(backup)
    again = tmp_path / "again.zip"
    server.backup(again)
    assert _data(backup) == _data(again)
    with pytest.raises(server.PortalError, match="not empty"):
        server.restore(backup)
    assert _data(backup) == _data(again)


def test_restore_rejects_a_file_that_is_no_backup(tmp_path):
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("not a zip", encoding="utf-8")
    result = portal("restore", str(bogus), "--db", str(tmp_path / "x.sqlite3"), env=portal_env(tmp_path), check=False)
    assert result.returncode == 3 and "not a portal backup" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def postgres_databases():
    """Two fresh PostgreSQL databases for one test, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_URL + "postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server answers on 127.0.0.1:5432 ({exc}); the PostgreSQL tests need one")
    names = [f"portal_test_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield [PG_URL + name for name in names]
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_postgresql_from_empty_database_demo_serve_backup_restore(tmp_path, postgres_databases):
    """On the real server: migrations from an empty database, the demo, serving, backup and restore."""
    first, second = postgres_databases
    env = portal_env(tmp_path / "data")
    loaded = portal("demo", "--load-only", "--db", first, env=env)
    assert "FICTIONAL" in loaded.stdout and "PostgreSQL" in loaded.stdout

    port = free_port()
    server = subprocess.Popen([PYTHON, "-m", "fjernarbeid", "portal", "serve", "--port", str(port), "--db", first],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, server)
        status, body = _get(port, "/api/spaces?municipality=4622")
        assert status == 200 and json.loads(body)["count"] == 3
        status, page = _get(port, "/spaces/eksempel-eidfjord/")
        assert status == 200 and "CoworkingSpace" in page.decode()
    finally:
        server.terminate()
        server.wait(timeout=30)

    # Backup, restore into the second (empty) database and back up again, in one process to save start-ups.
    backup, again = tmp_path / "backup.zip", tmp_path / "again.zip"
    script = (
        "import sys\n"
        "from fjernarbeid.portal.server import backup, configure, restore\n"
        "configure(db=sys.argv[1])\n"
        "backup(sys.argv[3])\n"
        "from django.db import connections\n"
        "connections['default'].close()\n"
        "connections['default'].settings_dict['NAME'] = sys.argv[2].rsplit('/', 1)[1]\n"
        "print(restore(sys.argv[3]))\n"
        "backup(sys.argv[4])\n"
    )
    result = subprocess.run([PYTHON, "-c", script, first, second, str(backup), str(again)], env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert _data(backup) == _data(again) and len(_data(backup)) > 100


def test_init_creates_the_first_administrator_and_refuses_a_weak_password(db):
    from django.test import Client

    from fjernarbeid.portal import server

    with pytest.raises(server.PortalError, match="password"):
        server.create_admin("council@example.org", "1234")
    server.create_admin("council@example.org", "fjordar-og-fjell-2026")
    with pytest.raises(server.PortalError, match="exists already"):
        server.create_admin("council@example.org", "fjordar-og-fjell-2026")
    client = Client()
    assert client.login(username="council@example.org", password="fjordar-og-fjell-2026")
    assert client.get("/council/audit/").status_code == 200
