"""The coworking network portal (report chapter 4.1, with 4.2, 4.4 and 4.5).

A Django application for one region's network of coworking spaces: a directory with a map, accounts and
roles, guest days across the network, events and courses, interest from would-be movers, goals, coverage and
open data. ``fjernarbeid portal serve|init|demo|backup|restore`` runs it; the settings read their
configuration from ``FJERNARBEID_PORTAL_*`` environment variables, which the command line sets.
"""

SETTINGS_MODULE = "fjernarbeid.portal.settings"


def setup_django() -> None:
    """Configure Django for the portal once per process (idempotent)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    django.setup()
