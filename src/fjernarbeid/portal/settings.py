"""Django settings of the portal.

Everything that differs between installations comes from the environment, so that one installed package
serves a laptop demo (SQLite in the user's data directory) and a council's server (PostgreSQL):

- ``FJERNARBEID_PORTAL_DATA``: the data directory (SQLite file, uploaded photos, mail folder, secret key).
- ``FJERNARBEID_PORTAL_DATABASE``: a SQLite file path or a ``postgresql://user@host:port/name`` URL.
- ``FJERNARBEID_PORTAL_TILES``: the map tile URL template (empty: markers on a plain background).
- ``FJERNARBEID_PORTAL_SMTP``: ``smtp://user:password@host:port`` to send mail; else mail is written to files.
- ``FJERNARBEID_PORTAL_DEBUG``: ``1`` for Django's debug pages (never in production).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from platformdirs import user_data_path

PORTAL_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("FJERNARBEID_PORTAL_DATA") or user_data_path("fjernarbeid") / "portal")


def _secret_key() -> str:
    """A random key kept in the data directory, made on first use (sessions and signed links depend on it)."""
    explicit = os.environ.get("FJERNARBEID_PORTAL_SECRET_KEY")
    if explicit:
        return explicit
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key


def database_settings(value: str | None) -> dict:
    """Django's DATABASES entry for a SQLite path or a PostgreSQL URL."""
    if value and value.startswith(("postgres://", "postgresql://")):
        url = urlsplit(value)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(url.path.lstrip("/")) or "postgres",
            "USER": unquote(url.username or ""),
            "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname or "",
            "PORT": str(url.port or ""),
            "CONN_MAX_AGE": 60,
            "ATOMIC_REQUESTS": False,
        }
    path = Path(value) if value else DATA_DIR / "portal.sqlite3"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # BEGIN IMMEDIATE: a transaction takes the write lock at its start, so a quota check and the insert
        # that depends on it cannot interleave with another writer's (Django 5.1+).
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;",
        },
    }


DEBUG = os.environ.get("FJERNARBEID_PORTAL_DEBUG") == "1"
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("FJERNARBEID_PORTAL_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "leaflet",  # only for the Leaflet files it ships, served by the portal itself
    "fjernarbeid.portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fjernarbeid.portal.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "fjernarbeid.portal.urls"
WSGI_APPLICATION = "fjernarbeid.portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fjernarbeid.portal.views.common.portal_context",
            ],
        },
    }
]

DATABASES = {"default": database_settings(os.environ.get("FJERNARBEID_PORTAL_DATABASE"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Nynorsk is the written standard of the four Hardanger municipalities, so it is the default.
LANGUAGE_CODE = "nn"
LANGUAGES = [("nn", "Nynorsk"), ("nb", "Bokmål"), ("en", "English")]
LOCALE_PATHS = [PORTAL_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Oslo"
USE_TZ = True
# 1 234 and 5. desember 2026 in nynorsk and bokmål, 1,234 and Dec. 5, 2026 in English (Django's formats).
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = None  # static files are served from the apps by WhiteNoise
WHITENOISE_USE_FINDERS = True  # serve the app's static files without a collectstatic step
WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = DATA_DIR / "media"
PHOTO_MAX_BYTES = 5 * 1024 * 1024

MAP_TILE_URL = os.environ.get("FJERNARBEID_PORTAL_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "FJERNARBEID_PORTAL_TILES_ATTRIBUTION", "© OpenStreetMap contributors"
)

_smtp = os.environ.get("FJERNARBEID_PORTAL_SMTP")
if _smtp:
    _url = urlsplit(_smtp)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _url.hostname or "localhost"
    EMAIL_PORT = _url.port or 587
    EMAIL_HOST_USER = unquote(_url.username or "")
    EMAIL_HOST_PASSWORD = unquote(_url.password or "")
    EMAIL_USE_TLS = _url.scheme != "smtp+plain"
elif os.environ.get("FJERNARBEID_PORTAL_MAIL") == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("FJERNARBEID_PORTAL_FROM", "portal@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "fjernarbeid.portal.views.errors.csrf_failure"  # in the layout and language of the portal
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
