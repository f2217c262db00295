"""iCalendar (RFC 5545) feeds and attachments, written with the icalendar package."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

PRODID = "-//fjernarbeid//coworking portal//NO"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # icalendar escapes line breaks in standard text properties but not in this extension one, and
    # refuses to write them: a name saved with a line break would break every feed and attachment.
    cal.add("x-wr-calname", " ".join(name.split()))
    return cal


def events_calendar(events, base_url: str, name: str) -> bytes:
    """A feed of events (welcome events, gatherings, courses)."""
    cal = _calendar(name)
    host = base_url.split("//", 1)[-1]
    for event in events:
        item = VEvent()
        item.add("uid", f"event-{event.uid}@{host}")
        item.add("dtstamp", event.starts)
        item.add("dtstart", event.starts)
        item.add("dtend", event.ends)
        item.add("summary", event.title)
        if event.description:
            item.add("description", event.description)
        location = event.location or (f"{event.space.name}, {event.space.address}" if event.space_id else "")
        if location:
            item.add("location", location)
        item.add("url", f"{base_url}/events/{event.pk}/")
        item.add("categories", [event.kind])
        cal.add_component(item)
    return cal.to_ical()


def guest_day_calendar(booking, base_url: str) -> bytes:
    """One all-day event for a confirmed guest day (sent with the confirmation e-mail)."""
    cal = _calendar(booking.space.name)
    cal.add("method", "PUBLISH")
    host = base_url.split("//", 1)[-1]
    item = VEvent()
    item.add("uid", f"guest-day-{booking.pk}@{host}")
    item.add("dtstamp", booking.decided or booking.created)
    item.add("dtstart", booking.day)
    item.add("dtend", booking.day + dt.timedelta(days=1))
    item.add("summary", _("Guest day: %(space)s") % {"space": booking.space.name})
    item.add("location", f"{booking.space.name}, {booking.space.address}, {booking.space.place}")
    item.add("url", base_url + booking.space.get_absolute_url())
    item.add("status", "CONFIRMED")
    cal.add_component(item)
    return cal.to_ical()
