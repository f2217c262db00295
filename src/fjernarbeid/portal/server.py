"""Running the portal: configuration from the command line, schema migrations, the WSGI server (waitress),
backup and restore."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

from fjernarbeid.errors import FjernarbeidError, InputFileError

BACKUP_FORMAT = "fjernarbeid-portal-backup/1"
# What a backup holds: the portal's tables and the accounts (contenttypes and permissions are rebuilt by migrate).
BACKUP_APPS = ["auth.user", "portal", "sessions"]


class PortalError(FjernarbeidError):
    """The portal cannot start or a maintenance step failed (database unreachable, backup unreadable …)."""


def configure(db: str | None = None, data_dir: Path | None = None, tiles: str | None = None,
              mail: str | None = None) -> None:
    """Set the environment the settings read, then set up Django. Call before anything touches Django."""
    if data_dir is not None:
        os.environ["FJERNARBEID_PORTAL_DATA"] = str(data_dir)
    if db is not None:
        os.environ["FJERNARBEID_PORTAL_DATABASE"] = db
    if tiles is not None:
        os.environ["FJERNARBEID_PORTAL_TILES"] = tiles
    if mail is not None:
        os.environ["FJERNARBEID_PORTAL_MAIL"] = mail
    from fjernarbeid.portal import setup_django

    setup_django()


def describe_database() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings['NAME']}"
    return f"PostgreSQL {settings['USER'] or ''}@{settings['HOST'] or 'local socket'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def migrate(verbosity: int = 0) -> None:
    """Bring the schema up to date (creates the database file for SQLite)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import DatabaseError

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    try:
        call_command("migrate", interactive=False, verbosity=verbosity)
    except DatabaseError as exc:
        raise PortalError(f"cannot prepare the database ({describe_database()}): {exc}") from None


def create_admin(email: str, password: str) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from fjernarbeid.portal import audit
    from fjernarbeid.portal.models import Profile

    users = get_user_model()
    if users.objects.filter(username=email).exists():
        raise PortalError(f"an account {email} exists already")
    try:
        validate_password(password, users(username=email, email=email))
    except ValidationError as exc:
        raise PortalError("the password is not accepted: " + " ".join(exc.messages)) from None
    with transaction.atomic():
        user = users.objects.create_user(username=email, email=email, password=password, is_staff=True,
                                         is_superuser=True, first_name="Administrator")
        Profile.objects.create(user=user, role=Profile.ADMIN)
        audit.record(None, "account.create_admin", user)


def serve(host: str, port: int, threads: int = 8) -> None:
    """Serve with waitress (a production WSGI server) until interrupted."""
    from waitress import serve as waitress_serve

    from fjernarbeid.portal.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="fjernarbeid-portal",
                   clear_untrusted_proxy_headers=True, _quiet=True)


def backup(out: Path, *, overwrite: bool = True) -> dict:
    """Write a zip with the data (Django's JSON serialization) and the uploaded photos; all or nothing,
    and without ``overwrite`` never over an existing file."""
    from django.conf import settings
    from django.core.management import call_command

    from fjernarbeid._io import atomic_path

    data = io.StringIO()
    call_command("dumpdata", *BACKUP_APPS, format="json", indent=None, natural_foreign=True, stdout=data)
    media = Path(settings.MEDIA_ROOT)
    photos = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
    with atomic_path(Path(out), overwrite=overwrite) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps({"format": BACKUP_FORMAT, "photos": len(photos)}))
            archive.writestr("data.json", data.getvalue())
            for photo in photos:
                archive.write(photo, "media/" + photo.relative_to(media).as_posix())
    objects = json.loads(data.getvalue())
    return {"objects": len(objects), "photos": len(photos)}


def restore(path: Path) -> dict:
    """Load a backup into an empty database (after migrate); the whole load is one transaction."""
    from django.conf import settings
    from django.core import serializers
    from django.db import transaction

    from fjernarbeid.portal.models import Space

    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such backup file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{path}: not a portal backup ({exc})") from None
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
            data = archive.read("data.json").decode("utf-8")
        except (KeyError, ValueError):
            raise InputFileError(f"{path}: not a portal backup (manifest.json or data.json missing)") from None
        if manifest.get("format") != BACKUP_FORMAT:
            raise InputFileError(f"{path}: unknown backup format {manifest.get('format')!r}")
        migrate()
        from django.contrib.auth import get_user_model

        if Space.objects.exists() or get_user_model().objects.exists():
            raise PortalError(f"the database ({describe_database()}) is not empty; restore into a new one")
        count = 0
        try:
            with transaction.atomic():
                for obj in serializers.deserialize("json", data, handle_forward_references=True):
                    obj.save()
                    count += 1
        except serializers.base.DeserializationError as exc:
            raise InputFileError(f"{path}: data.json cannot be loaded: {exc}") from None
        _reset_sequences()
        media = Path(settings.MEDIA_ROOT)
        photos = 0
        for name in archive.namelist():
            if name.startswith("media/") and not name.endswith("/"):
                target = (media / name[len("media/"):]).resolve()
                if media.resolve() not in target.parents:
                    raise InputFileError(f"{path}: unsafe file name {name!r} in the backup")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
                photos += 1
    return {"objects": count, "photos": photos}


def _reset_sequences() -> None:
    """After loading rows with their ids, PostgreSQL's id sequences must continue after the largest id."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    models = list(apps.get_app_config("portal").get_models()) + [apps.get_model("auth", "User")]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
