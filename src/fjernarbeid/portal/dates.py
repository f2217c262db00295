"""The span of dates the portal accepts from a form: a typed year 0001 or 9999 is a mistake to point out, and
outside datetime's range it made the month arithmetic and the conversion to UTC raise (a server error)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST_YEAR = 2000
YEARS_AHEAD = 10


def latest_year() -> int:
    return timezone.localdate().year + YEARS_AHEAD


def check(value: dt.date | dt.datetime | None):
    """The value itself, or a form error naming the years accepted."""
    if value is None:
        return value
    if not EARLIEST_YEAR <= value.year <= latest_year():
        raise forms.ValidationError(_("Give a date between the years %(first)d and %(last)d.")
                                    % {"first": EARLIEST_YEAR, "last": latest_year()}, code="date_range")
    return value


class DateField(forms.DateField):
    """A date field that refuses years far outside the portal's use."""

    def clean(self, value):
        return check(super().clean(value))
