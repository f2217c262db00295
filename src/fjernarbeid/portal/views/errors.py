"""Error pages in the portal's layout and the visitor's language: 400, 403 (also a failed CSRF check), 404, 500.

Django's own are bare English pages; a visitor who lands on one has no menu to go on from."""

from __future__ import annotations

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def _page(request, status: int, title: str, text: str, hint: str = ""):
    return render(request, "portal/error.html", {"title": title, "text": text, "hint": hint, "status": status},
                  status=status)


def bad_request(request, exception=None):
    return _page(request, 400, _("The request could not be understood"),
                 _("The address or the form sent has something the portal cannot read."))


def permission_denied(request, exception=None):
    return _page(request, 403, _("You are not allowed to do this"),
                 _("This page or action is for people with another role in the network."),
                 _("Log in with the account that has the role, or ask the network's administrator."))


def page_not_found(request, exception=None):
    return _page(request, 404, _("Page not found"),
                 _("There is no page at this address. It may have been moved or deleted, or the address may be "
                   "mistyped."))


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: the form's security check failed (an old page, or cookies blocked)."""
    return _page(request, 403, _("The form could not be sent"),
                 _("The form's security check failed, usually because the page was open for a long time or the "
                   "browser blocks cookies from this site."),
                 _("Go back, reload the page and send the form again."))


def server_error(request):
    """The page of an unexpected error; if even the layout cannot be drawn (the database is down), plain text."""
    title = _("Something went wrong")
    text = _("The portal could not show this page. The error is logged; please try again in a while.")
    try:
        return _page(request, 500, title, text)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        log.exception("the error page could not be drawn")
        from django.utils.html import escape
        from django.utils.translation import get_language

        return HttpResponseServerError(
            f'<!DOCTYPE html><html lang="{escape(get_language() or "nn")}"><meta charset="utf-8">'
            f"<title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(text)}</p></html>")
