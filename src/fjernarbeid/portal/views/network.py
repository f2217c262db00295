"""Writing pages of the network: guest days, events and sign-ups, hosts' edits, photos and use records."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fjernarbeid.portal import audit, calendar, dates, ratelimit, roles, services
from fjernarbeid.portal.models import FACILITIES, Event, GuestDay, Profile, Space, SpacePhoto, UseRecord
from fjernarbeid.portal.uploads import UploadRejected, check_image


def login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def form_rate_limited(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not ratelimit.hit("form", ratelimit.client_address(request)):
            return render(request, "portal/message.html", {"title": _("Too many attempts"),
                                                            "text": _("Please wait a minute and try again.")},
                          status=429)
        return view(request, *args, **kwargs)

    return wrapper


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def language_of(user) -> str:
    """The language a person reads the portal in (their profile's), else the region's default: a mail goes out
    in its recipient's language, not in that of whoever's request happened to send it."""
    try:
        language = user.profile.language
    except (AttributeError, Profile.DoesNotExist):
        language = ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _one_line(text: str) -> str:
    # A header is one line: Django refuses a subject with a line break (a name saved with one) outright.
    return " ".join(text.split())


# Guest days ---------------------------------------------------------------------------------------------------

class GuestDayForm(forms.Form):
    day = dates.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("Note to the host"), required=False, max_length=300)


@login_required
@form_rate_limited
def book_guest_day(request, slug: str):
    space = get_object_or_404(Space, slug=slug)
    if not roles.can_book_guest_day(request.user, space):
        raise PermissionDenied
    form = GuestDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.book_guest_day(request.user, space, form.cleaned_data["day"], form.cleaned_data["note"])
        except services.NotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            _mail_request(request, booking)
            messages.success(request, _("Your guest day is requested. The host will confirm it."))
            return redirect("portal:me")
    return render(request, "portal/book.html", {"space": space, "form": form})


@login_required
@require_POST
def decide_guest_day(request, booking_id: int):
    booking = get_object_or_404(GuestDay, pk=booking_id)
    if not roles.can_decide_guest_day(request.user, booking):
        raise PermissionDenied
    confirm = request.POST.get("decision") == "confirm"
    try:
        booking = services.decide_guest_day(request.user, booking.pk, confirm)
    except services.NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("portal:me")
    _mail_decision(request, booking)
    messages.success(request, _("Guest day confirmed.") if confirm else _("Guest day declined."))
    return redirect("portal:me")


def _mail_request(request, booking: GuestDay) -> None:
    """Tell the space's hosts, each in their own language, that a guest day waits for their answer; a space
    without a host account gets it at its contact address, in the region's default language."""
    hosts = [p.user for p in Profile.objects.filter(role=Profile.HOST, space=booking.space).select_related("user")
             if p.user.email and p.user.is_active]
    recipients = [(host.email, language_of(host)) for host in hosts] or \
        [(booking.space.contact_email, settings.LANGUAGE_CODE)]
    link = request.build_absolute_uri(reverse("portal:me"))
    member = booking.member.first_name or booking.member.username
    for address, language in recipients:
        with translation.override(language):
            values = {"space": booking.space.name, "day": date_format(booking.day, "DATE_FORMAT"), "member": member}
            subject = _("Guest day requested: %(space)s, %(day)s") % values
            body = _("%(member)s asks for a guest day at %(space)s on %(day)s. Confirm or decline it on your "
                     "page:\n\n%(link)s\n") % (values | {"link": link})
        EmailMessage(_one_line(subject), body, None, [address]).send(fail_silently=True)


def _mail_decision(request, booking: GuestDay) -> None:
    if not booking.member.email:
        return
    with translation.override(language_of(booking.member)):
        values = {"space": booking.space.name, "day": date_format(booking.day, "DATE_FORMAT")}
        if booking.status == GuestDay.CONFIRMED:
            subject = _("Guest day confirmed: %(space)s, %(day)s") % values
            body = _("Welcome to %(space)s on %(day)s. The calendar entry is attached.") % values
        else:
            subject = _("Guest day declined: %(space)s, %(day)s") % values
            body = _("The host of %(space)s could not take you on %(day)s.") % values
        message = EmailMessage(_one_line(subject), body, None, [booking.member.email])
        if booking.status == GuestDay.CONFIRMED:
            message.attach("guest-day.ics", calendar.guest_day_calendar(booking, _base_url(request)),
                           "text/calendar")
    message.send(fail_silently=True)  # the decision is stored; a mail server's failure must not undo it


@login_required
@require_POST
def cancel_guest_day(request, booking_id: int):
    get_object_or_404(GuestDay, pk=booking_id, member=request.user)
    try:
        services.cancel_guest_day(request.user, booking_id)
    except services.NotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("portal:me")


@login_required
def guest_day_ics(request, booking_id: int):
    booking = get_object_or_404(GuestDay.objects.select_related("space"), pk=booking_id)
    if booking.member_id != request.user.pk and not roles.can_decide_guest_day(request.user, booking):
        raise PermissionDenied
    if booking.status != GuestDay.CONFIRMED:
        raise Http404
    from django.http import HttpResponse

    return HttpResponse(calendar.guest_day_calendar(booking, _base_url(request)), content_type="text/calendar")


# Events -------------------------------------------------------------------------------------------------------

class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["title", "kind", "space", "description", "starts", "ends", "location", "capacity"]
        widgets = {"starts": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "ends": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not roles.is_admin(user):  # a host publishes at their own space only
            self.fields["space"].queryset = Space.objects.filter(pk=roles.home_space_id(user))
            self.fields["space"].required = True

    def clean_starts(self):
        return dates.check(self.cleaned_data["starts"])

    def clean_ends(self):
        return dates.check(self.cleaned_data["ends"])

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("The event must end after it starts."))
        return data


def events(request):
    # Explicitly ordered: an aggregate's GROUP BY drops the model's default ordering (soonest first).
    upcoming = Event.objects.filter(ends__gte=timezone.now()).select_related("space") \
        .annotate(signup_count=Count("signups")).order_by("starts", "pk")
    return render(request, "portal/events.html", {"events": upcoming,
                                                  "can_publish": roles.can_publish_event(request.user, None)
                                                  or roles.role_of(request.user) == "host"})


def event_detail(request, event_id: int):
    event = get_object_or_404(Event.objects.select_related("space").annotate(signup_count=Count("signups")),
                              pk=event_id)
    signed_up = request.user.is_authenticated and event.signups.filter(user=request.user).exists()
    return render(request, "portal/event.html", {
        "event": event, "signed_up": signed_up, "can_sign_up": roles.can_sign_up(request.user),
        "places_left": max(event.capacity - event.signup_count, 0),
        "can_edit": roles.can_edit_event(request.user, event),
        "signups": event.signups.select_related("user") if roles.can_edit_event(request.user, event) else None,
    })


@login_required
@form_rate_limited
def event_create(request):
    if roles.role_of(request.user) not in ("admin", "host"):
        raise PermissionDenied
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if not roles.can_publish_event(request.user, form.cleaned_data.get("space")):
            raise PermissionDenied
        with transaction.atomic():
            event = form.save(commit=False)
            event.created_by = request.user
            event.save()
            audit.record(request.user, "event.create", event, title=event.title)
        return redirect("portal:event", event.pk)
    return render(request, "portal/edit.html", {"form": form, "title": _("New event")})


@login_required
@form_rate_limited
def event_edit(request, event_id: int):
    event = get_object_or_404(Event, pk=event_id)
    if not roles.can_edit_event(request.user, event):
        raise PermissionDenied
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        if not roles.can_publish_event(request.user, form.cleaned_data.get("space")):
            raise PermissionDenied
        with transaction.atomic():
            form.save()
            audit.record(request.user, "event.edit", event, fields=sorted(form.changed_data))
        return redirect("portal:event", event.pk)
    return render(request, "portal/edit.html", {"form": form, "title": event.title})


@login_required
@require_POST
@form_rate_limited
def event_sign_up(request, event_id: int):
    get_object_or_404(Event, pk=event_id)
    if not roles.can_sign_up(request.user):
        raise PermissionDenied
    if request.POST.get("withdraw"):
        services.withdraw(request.user, event_id)
        messages.success(request, _("You are no longer signed up."))
    else:
        try:
            services.sign_up(request.user, event_id)
        except services.NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You are signed up."))
    return redirect("portal:event", event_id)


# Spaces: create, edit, photos, use ---------------------------------------------------------------------------

class SpaceForm(forms.ModelForm):
    facilities = forms.MultipleChoiceField(label=gettext_lazy("Facilities"), required=False,
                                           choices=list(FACILITIES.items()), widget=forms.CheckboxSelectMultiple)
    website = forms.URLField(label=gettext_lazy("website"), required=False, assume_scheme="https")

    class Meta:
        model = Space
        fields = ["name", "slug", "municipality", "place", "address", "postal_code", "latitude", "longitude",
                  "description", "capacity", "open_desks", "cell_offices", "meeting_rooms", "broadband_mbps",
                  "opens", "closes", "open_days", "key_card", "staffed", "price_day", "price_month", "facilities",
                  "contact_name", "contact_email", "contact_phone", "website"]
        widgets = {"opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def clean_open_days(self):
        days = self.cleaned_data["open_days"]
        if not days or any(d not in "1234567" for d in days) or len(set(days)) != len(days):
            raise forms.ValidationError(_("Write the open days as digits 1 (Monday) to 7 (Sunday), e.g. 12345."))
        return "".join(sorted(days))


@login_required
@form_rate_limited
def space_create(request):
    if not roles.can_create_space(request.user):
        raise PermissionDenied
    form = SpaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            space = form.save()
            audit.record(request.user, "space.create", space, name=space.name)
        return redirect(space)
    return render(request, "portal/edit.html", {"form": form, "title": _("New space")})


@login_required
@form_rate_limited
def space_edit(request, slug: str):
    space = get_object_or_404(Space, slug=slug)
    if not roles.can_edit_space(request.user, space):
        raise PermissionDenied
    form = SpaceForm(request.POST or None, instance=space)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            space = form.save()
            audit.record(request.user, "space.edit", space, fields=sorted(form.changed_data))
        messages.success(request, _("Saved."))
        return redirect(space)
    return render(request, "portal/edit.html", {"form": form, "title": space.name, "space": space})


class PhotoForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Photo (JPEG, PNG or WebP, at most 5 MB)"))
    alt_text = forms.CharField(label=gettext_lazy("What the photo shows (for people who cannot see it)"), max_length=200)


@login_required
@form_rate_limited
def photo_upload(request, slug: str):
    space = get_object_or_404(Space, slug=slug)
    if not roles.can_edit_space(request.user, space):
        raise PermissionDenied
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["image"]
        try:
            extension = check_image(upload, settings.PHOTO_MAX_BYTES)
        except UploadRejected as exc:
            form.add_error("image", str(exc))
        else:
            import secrets

            upload.name = f"{space.slug}-{secrets.token_hex(8)}.{extension}"
            with transaction.atomic():
                photo = SpacePhoto.objects.create(space=space, image=upload, alt_text=form.cleaned_data["alt_text"])
                audit.record(request.user, "photo.upload", photo, space=space.slug)
            return redirect(space)
    return render(request, "portal/edit.html", {"form": form, "title": space.name, "space": space,
                                                "multipart": True})


def photo_file(request, photo_id: int):
    photo = get_object_or_404(SpacePhoto, pk=photo_id)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        photo.image.name.rsplit(".", 1)[-1], "application/octet-stream")
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


class UseRecordForm(forms.ModelForm):
    month = dates.DateField(label=gettext_lazy("Month"), widget=forms.DateInput(attrs={"type": "month"},),
                            input_formats=["%Y-%m", "%Y-%m-%d"])

    class Meta:
        model = UseRecord
        fields = ["month", "users", "visits", "guest_days", "events", "occupancy_percent"]

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError(
                _("%(month)s has not begun: use can be recorded for this month and the months before it.")
                % {"month": month.strftime("%Y-%m")})
        return month


@login_required
@form_rate_limited
def record_use(request, slug: str):
    space = get_object_or_404(Space, slug=slug)
    if not roles.can_record_use(request.user, space):
        raise PermissionDenied
    form = UseRecordForm(request.POST or None, initial={"month": timezone.localdate().strftime("%Y-%m")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            record, created = UseRecord.objects.update_or_create(
                space=space, month=data["month"],
                defaults={k: data[k] for k in ("users", "visits", "guest_days", "events", "occupancy_percent")}
                | {"recorded_by": request.user})
            audit.record(request.user, "use.record", record, space=space.slug, month=data["month"].isoformat(),
                         replaced=not created)
        messages.success(request, _("Use recorded."))
        return redirect(space)
    recent = space.use_records.order_by("-month")[:12]
    return render(request, "portal/use.html", {"form": form, "space": space, "recent": recent})


def today() -> dt.date:
    return timezone.localdate()
