"""``fjernarbeid portal``: the coworking network portal (serve, init, demo, backup, restore)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from fjernarbeid.cli._options import overwrite_option
from fjernarbeid.errors import EXIT_BAD_INPUT, FjernarbeidError

portal_app = typer.Typer(
    name="portal",
    help="The coworking network portal: a web application for the region's spaces (report measure 4.1).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(portal_app, name="portal")


DB_HELP = ("SQLite file, or a PostgreSQL URL such as postgresql://user:password@127.0.0.1:5432/portal "
           "[default: portal.sqlite3 in the data directory]")
DATA_HELP = "Directory for the secret key, photos and mail files [default: the user's data directory]"
TILES_HELP = "Map tile URL template, e.g. https://tile.example.org/{z}/{x}/{y}.png; empty for a plain background"


def _fail(exc: FjernarbeidError) -> typer.Exit:
    from fjernarbeid.cli import _print_error

    _print_error(str(exc))
    return typer.Exit(exc.exit_code)


def _configure(db, data_dir, tiles=None, mail=None) -> None:
    from fjernarbeid.portal.server import configure

    configure(db=db, data_dir=data_dir, tiles=tiles, mail=mail)


@portal_app.command("init")
def init(
    db: str = typer.Option(None, "--db", help=DB_HELP),
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_HELP),
    admin_email: str = typer.Option(None, "--admin-email", help="Create a network administrator with this e-mail."),
) -> None:
    """Create or upgrade the database schema (migrations); optionally create the first administrator.

    The administrator's password is read from FJERNARBEID_PORTAL_ADMIN_PASSWORD, or asked for.
    """
    try:
        _configure(db, data_dir)
        from fjernarbeid.portal.server import create_admin, describe_database, migrate

        migrate()
        typer.echo(f"Database ready: {describe_database()}")
        if admin_email:
            password = os.environ.get("FJERNARBEID_PORTAL_ADMIN_PASSWORD") or typer.prompt(
                "Password", hide_input=True, confirmation_prompt=True)
            create_admin(admin_email, password)
            typer.echo(f"Administrator {admin_email} created.")
    except FjernarbeidError as exc:
        raise _fail(exc) from None


@portal_app.command("serve")
def serve(
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_HELP),
    tiles: str = typer.Option(None, "--tiles", help=TILES_HELP),
    threads: int = typer.Option(8, "--threads", min=1, max=64, help="Worker threads of the server."),
) -> None:
    """Serve the portal with the waitress WSGI server (migrates the database first)."""
    try:
        _configure(db, data_dir, tiles)
        from fjernarbeid.portal.server import describe_database, migrate
        from fjernarbeid.portal.server import serve as run

        migrate()
        typer.echo(f"Portal on http://{host}:{port}/ ({describe_database()}); Ctrl+C stops it.", err=True)
        run(host, port, threads)
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    except OSError as exc:
        from fjernarbeid.cli import _print_error

        _print_error(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


@portal_app.command("demo")
def demo(
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    db: str = typer.Option(None, "--db", help="Database for the demo [default: demo.sqlite3 in the data directory, made anew]"),
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_HELP),
    tiles: str = typer.Option(None, "--tiles", help=TILES_HELP),
    load_only: bool = typer.Option(False, "--load-only", help="Load the demo network and exit without serving."),
) -> None:
    """Load the FICTIONAL demonstration network into a fresh database and serve it.

    Spaces in Eidfjord, Kvam, Ullensvang and Ulvik (all made up and marked so), people of every role, events,
    guest days and a year of use records. The log-ins and their password are printed.
    """
    try:
        _configure(db, data_dir, tiles, mail="console")
        from django.conf import settings

        if db is None:
            demo_db = Path(settings.DATA_DIR) / "demo.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(str(demo_db) + suffix).unlink(missing_ok=True)
            settings.DATABASES["default"]["NAME"] = str(demo_db)
            from django.db import connections

            connections["default"].settings_dict["NAME"] = str(demo_db)
        from fjernarbeid.portal.demo import load_demo
        from fjernarbeid.portal.server import describe_database, migrate
        from fjernarbeid.portal.server import serve as run

        migrate()
        try:
            made = load_demo()
        except ValueError as exc:
            raise FjernarbeidError(f"{describe_database()}: {exc}") from None
        typer.echo(f"Demo network (FICTIONAL): {made['spaces']} spaces, {made['events']} events, "
                   f"{made['use_records']} use records in {describe_database()}")
        for role, login in made["logins"].items():
            typer.echo(f"  {role:17} {login}")
        typer.echo(f"  password for all: {made['password']}")
        if load_only:
            return
        typer.echo(f"Portal on http://{host}:{port}/ ; Ctrl+C stops it.", err=True)
        run(host, port)
    except FjernarbeidError as exc:
        raise _fail(exc) from None


@portal_app.command("backup")
def backup(
    out: Path = typer.Argument(..., help="The backup file to write (a zip)."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_HELP),
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    """Write a backup of the database and the uploaded photos (one zip, written all-or-nothing; an
    existing file only with --overwrite)."""
    from fjernarbeid._io import refuse_existing_outputs

    try:
        refuse_existing_outputs([out], overwrite=overwrite)
        _configure(db, data_dir)
        from fjernarbeid.portal.server import backup as run
        from fjernarbeid.portal.server import describe_database

        result = run(out, overwrite=overwrite)
        typer.echo(f"Backed up {result['objects']} records and {result['photos']} photos of {describe_database()} to {out}")
    except FjernarbeidError as exc:
        raise _fail(exc) from None


@portal_app.command("restore")
def restore(
    backup_file: Path = typer.Argument(..., help="A backup written by `fjernarbeid portal backup`."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_HELP),
) -> None:
    """Restore a backup into a new, empty database (refuses one that has data)."""
    try:
        _configure(db, data_dir)
        from fjernarbeid.portal.server import describe_database
        from fjernarbeid.portal.server import restore as run

        result = run(backup_file)
        typer.echo(f"Restored {result['objects']} records and {result['photos']} photos into {describe_database()}")
    except FjernarbeidError as exc:
        raise _fail(exc) from None

