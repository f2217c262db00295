"""The portal's data: spaces, people and their roles, guest days, events, interest, use, goals, audit log."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fjernarbeid.portal.region import municipality_choices

# Facilities a space can offer; the keys are stored, the labels translated.
FACILITIES = {
    "kitchen": _("Kitchen"),
    "parking": _("Parking"),
    "printer": _("Printer"),
    "shower": _("Shower"),
    "bike_storage": _("Bike storage"),
    "step_free": _("Step-free access"),
    "video_room": _("Video meeting room"),
    "canteen": _("Canteen nearby"),
}
# A description is shown whole on a page and in every open-data format: long enough for a real one.
DESCRIPTION_MAX = 5000
DESCRIPTION_HELP = _("At most 5,000 characters.")
WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


class Space(models.Model):
    """A coworking space of the network."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name in addresses"), max_length=120, unique=True)
    fictional = models.BooleanField(_("fictional (demo)"), default=False)
    municipality = models.CharField(_("municipality"), max_length=4, choices=municipality_choices, db_index=True)
    place = models.CharField(_("place"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(57.0), MaxValueValidator(72.0)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(3.0), MaxValueValidator(32.0)])
    description = models.TextField(_("description"), blank=True, max_length=DESCRIPTION_MAX,
                                   validators=[MaxLengthValidator(DESCRIPTION_MAX)], help_text=DESCRIPTION_HELP)
    capacity = models.PositiveIntegerField(_("work places in all"))
    open_desks = models.PositiveIntegerField(_("open desks"), default=0)
    cell_offices = models.PositiveIntegerField(_("cell offices"), default=0)
    meeting_rooms = models.PositiveIntegerField(_("meeting rooms"), default=0)
    broadband_mbps = models.PositiveIntegerField(_("broadband (Mbit/s)"), default=0)
    opens = models.TimeField(_("opens"), default=dt.time(8, 0))
    closes = models.TimeField(_("closes"), default=dt.time(16, 0))
    open_days = models.CharField(_("open days (1 = Monday … 7 = Sunday)"), max_length=7, default="12345")
    key_card = models.BooleanField(_("key card access outside opening hours"), default=False)
    staffed = models.CharField(_("staffed"), max_length=120, blank=True)
    price_day = models.PositiveIntegerField(_("price per day (NOK)"), null=True, blank=True)
    price_month = models.PositiveIntegerField(_("price per month (NOK)"), null=True, blank=True)
    facilities = models.JSONField(_("facilities"), default=list, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "place", "name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:space", args=[self.slug])

    @property
    def municipality_name(self) -> str:
        return self.get_municipality_display()

    def is_open_at(self, moment: dt.datetime) -> bool:
        """Whether the space is staffed/open at a local time (key-card access is not counted as open)."""
        local = timezone.localtime(moment)
        return str(local.isoweekday()) in self.open_days and self.opens <= local.time() < self.closes

    def facility_labels(self) -> list[str]:
        return [str(FACILITIES[key]) for key in self.facilities if key in FACILITIES]

    def open_day_labels(self) -> str:
        return ", ".join(str(WEEKDAYS[int(d) - 1]) for d in self.open_days if d.isdigit() and 1 <= int(d) <= 7)


class SpacePhoto(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="photos/")
    alt_text = models.CharField(_("description of the photo"), max_length=200)
    uploaded = models.DateTimeField(auto_now_add=True)


class Profile(models.Model):
    """A person's role in the network. Without a profile a logged-in user has the public's rights."""

    ADMIN, HOST, MEMBER = "admin", "host", "member"
    ROLES = [(ADMIN, _("network administrator")), (HOST, _("space host")), (MEMBER, _("member"))]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=10, choices=ROLES, default=MEMBER)
    # A host's own space, or the space a member belongs to.
    space = models.ForeignKey(Space, on_delete=models.PROTECT, null=True, blank=True, related_name="people")
    language = models.CharField(max_length=5, default="nn")

    def __str__(self) -> str:
        return f"{self.user.username} ({self.role})"


class GuestDay(models.Model):
    """A member's booking of one day at another space of the network."""

    REQUESTED, CONFIRMED, DECLINED, CANCELLED = "requested", "confirmed", "declined", "cancelled"
    STATUSES = [(REQUESTED, _("requested")), (CONFIRMED, _("confirmed")), (DECLINED, _("declined")),
                (CANCELLED, _("cancelled"))]
    COUNTING = (REQUESTED, CONFIRMED)  # what uses up the monthly quota

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest_days")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="guest_days")
    day = models.DateField(_("day"))
    status = models.CharField(max_length=10, choices=STATUSES, default=REQUESTED, db_index=True)
    note = models.CharField(_("note to the host"), max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], condition=models.Q(status__in=["requested", "confirmed"]),
                                    name="one_active_guest_day_per_member_and_day"),
        ]


def new_uid() -> str:
    return secrets.token_hex(16)


class Event(models.Model):
    """A welcome event, gathering or course (report 4.2 and 4.4); without a space it is region-wide."""

    WELCOME, GATHERING, COURSE = "welcome", "gathering", "course"
    KINDS = [(WELCOME, _("welcome event")), (GATHERING, _("gathering")), (COURSE, _("course"))]

    title = models.CharField(_("title"), max_length=160)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                              verbose_name=_("space (empty: the whole region)"))
    description = models.TextField(_("description"), blank=True, max_length=DESCRIPTION_MAX,
                                   validators=[MaxLengthValidator(DESCRIPTION_MAX)], help_text=DESCRIPTION_HELP)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    fictional = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uid = models.CharField(max_length=40, unique=True, default=new_uid)  # stable iCal UID

    class Meta:
        ordering = ["starts"]

    def __str__(self) -> str:
        return self.title


class EventSignup(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signups")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_signup_per_person")]


class Interest(models.Model):
    """Someone considering a move registers interest (report 4.5). Personal data: kept only with consent,
    exported for the council, deleted for real on request."""

    NEEDS = {
        "cell_office": _("a cell office (own room)"),
        "open_desk": _("an open desk"),
        "broadband": _("fast broadband"),
        "school": _("school or kindergarten"),
        "housing": _("housing"),
        "job_for_partner": _("a job for a partner"),
    }

    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    lives_now = models.CharField(_("where you live now"), max_length=120)
    municipalities = models.JSONField(_("municipalities of interest"), default=list)
    needs = models.JSONField(_("what you need"), default=list)
    message = models.TextField(_("anything else"), blank=True, max_length=2000)
    consent = models.BooleanField(_("consent"))
    consent_text = models.TextField()  # the wording the person agreed to, as shown
    created = models.DateTimeField(auto_now_add=True)
    deletion_token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)

    class Meta:
        ordering = ["-created"]


class UseRecord(models.Model):
    """A host's monthly record of use of the space."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="use_records")
    month = models.DateField(_("month"))  # the first day of the month
    users = models.PositiveIntegerField(_("different users"))
    visits = models.PositiveIntegerField(_("user days"))
    guest_days = models.PositiveIntegerField(_("guest days"), default=0)
    events = models.PositiveIntegerField(_("events held"), default=0)
    occupancy_percent = models.FloatField(_("occupancy (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["month", "space_id"]
        constraints = [models.UniqueConstraint(fields=["space", "month"], name="one_use_record_per_space_month")]
        indexes = [models.Index(fields=["month"])]


class Goal(models.Model):
    """A target the council sets for the network (report 4.1: goals for use, criteria of success)."""

    USERS, GUEST_DAYS, EVENTS, OCCUPANCY = "users_per_space", "guest_days", "events", "occupancy_percent"
    METRICS = [
        (USERS, _("users per space per month")),
        (GUEST_DAYS, _("guest days in the network per month")),
        (EVENTS, _("events in the network per month")),
        (OCCUPANCY, _("average occupancy (%)")),
    ]
    metric = models.CharField(_("measure"), max_length=20, choices=METRICS)
    target = models.FloatField(_("target"), validators=[MinValueValidator(0)])
    valid_from = models.DateField(_("from month"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["metric", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["metric", "valid_from"], name="one_target_per_metric_month")]


class TravelTime(models.Model):
    """Travel time from a place to a space (minutes), loaded by the council to replace straight-line distance."""

    place_geonameid = models.IntegerField()
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="travel_times")
    minutes = models.FloatField(validators=[MinValueValidator(0)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place_geonameid", "space"], name="one_time_per_place_space")]


class AuditEntry(models.Model):
    """Who changed what, written in the same transaction as the change itself."""

    when = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-when", "-id"]
