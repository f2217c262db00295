"""The portal's write operations. Each runs in one transaction together with its audit entry, so a crash
leaves either the whole change or none of it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fjernarbeid.portal import audit
from fjernarbeid.portal.models import Event, EventSignup, GuestDay, Profile, Space
from fjernarbeid.portal.region import free_guest_days_per_month


class NotAllowed(Exception):
    """The operation breaks a rule of the network; the message says which, for the person."""


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def book_guest_day(member, space: Space, day: dt.date, note: str = "") -> GuestDay:
    """Request a guest day; the monthly free quota counts requested and confirmed days.

    The member's profile row is locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite's transactions take
    the write lock at BEGIN), so two simultaneous requests cannot both see room in the quota.
    """
    if day < timezone.localdate():
        raise NotAllowed(_("The day has passed."))
    if str(day.isoweekday()) not in space.open_days:
        raise NotAllowed(_("The space is closed on that day."))
    quota = free_guest_days_per_month()
    first, following = _month_bounds(day)
    with transaction.atomic():
        Profile.objects.select_for_update().get(user=member)
        used = GuestDay.objects.filter(member=member, day__gte=first, day__lt=following,
                                       status__in=GuestDay.COUNTING).count()
        if used >= quota:
            raise NotAllowed(_("You have used the network's %(quota)d free guest days for this month.") % {"quota": quota})
        if GuestDay.objects.filter(member=member, day=day, status__in=GuestDay.COUNTING).exists():
            raise NotAllowed(_("You already have a guest day on that date."))
        try:
            with transaction.atomic():
                booking = GuestDay.objects.create(member=member, space=space, day=day, note=note)
        except IntegrityError:
            raise NotAllowed(_("You already have a guest day on that date.")) from None
        audit.record(member, "guest_day.request", booking, space=space.slug, day=day.isoformat())
    return booking


def decide_guest_day(host, booking_id: int, confirm: bool) -> GuestDay:
    """The host confirms or declines a requested guest day (only a requested one)."""
    with transaction.atomic():
        booking = GuestDay.objects.select_for_update().select_related("space", "member").get(pk=booking_id)
        if booking.status != GuestDay.REQUESTED:
            raise NotAllowed(_("This guest day has already been decided."))
        booking.status = GuestDay.CONFIRMED if confirm else GuestDay.DECLINED
        booking.decided = timezone.now()
        booking.decided_by = host
        booking.save(update_fields=["status", "decided", "decided_by"])
        audit.record(host, "guest_day.confirm" if confirm else "guest_day.decline", booking)
    return booking


def cancel_guest_day(member, booking_id: int) -> GuestDay:
    with transaction.atomic():
        booking = GuestDay.objects.select_for_update().get(pk=booking_id, member=member)
        if booking.status not in GuestDay.COUNTING:
            raise NotAllowed(_("This guest day cannot be cancelled."))
        booking.status = GuestDay.CANCELLED
        booking.save(update_fields=["status"])
        audit.record(member, "guest_day.cancel", booking)
    return booking


def sign_up(user, event_id: int) -> EventSignup:
    """Sign up for an event while places remain (the event row is locked while counting)."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        if event.ends < timezone.now():
            raise NotAllowed(_("The event is over."))
        if EventSignup.objects.filter(event=event, user=user).exists():
            raise NotAllowed(_("You are already signed up."))
        if EventSignup.objects.filter(event=event).count() >= event.capacity:
            raise NotAllowed(_("The event is full."))
        signup = EventSignup.objects.create(event=event, user=user)
        audit.record(user, "event.sign_up", event)
    return signup


def withdraw(user, event_id: int) -> None:
    with transaction.atomic():
        deleted, _rows = EventSignup.objects.filter(event_id=event_id, user=user).delete()
        if deleted:
            audit.record(user, "event.withdraw", Event.objects.get(pk=event_id))
