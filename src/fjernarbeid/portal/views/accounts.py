"""Accounts: registration with e-mail confirmation, login with a rate limit, logout, the person's own page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fjernarbeid.portal import audit, ratelimit
from fjernarbeid.portal.models import EventSignup, GuestDay, Profile, Space
from fjernarbeid.portal.roles import role_of

CONFIRM_SALT = "portal.confirm-email"
CONFIRM_MAX_AGE = 3 * 24 * 3600


class RegistrationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    space = forms.ModelChoiceField(label=gettext_lazy("Your coworking space"), queryset=Space.objects.all())
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput, min_length=10)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(username=email).exists():
            raise forms.ValidationError(_("An account with this e-mail exists already."))
        return email

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("email"):
            validate_password(data["password"], get_user_model()(username=data["email"], email=data["email"]))
        return data


def _too_many(request):
    return render(request, "portal/message.html", {"title": _("Too many attempts"),
                                                    "text": _("Please wait a minute and try again.")}, status=429)


def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.hit("form", ratelimit.client_address(request)):
            return _too_many(request)
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=data["email"], email=data["email"], password=data["password"],
                    first_name=data["name"], is_active=False)
                # The language the person registered in is the one the portal's mail to them is written in.
                Profile.objects.create(user=user, role=Profile.MEMBER, space=data["space"],
                                       language=translation.get_language() or settings.LANGUAGE_CODE)
                audit.record(None, "account.register", user, space=data["space"].slug)
            token = signing.dumps(user.pk, salt=CONFIRM_SALT)
            link = request.build_absolute_uri(reverse("portal:confirm", args=[token]))
            send_mail(_("Confirm your e-mail address"),
                      _("Open this link to confirm your account in the coworking network:\n\n%(link)s\n") % {"link": link},
                      None, [user.email])
            return render(request, "portal/message.html", {
                "title": _("Check your e-mail"),
                "text": _("We have sent a confirmation link to %(email)s.") % {"email": user.email}})
    return render(request, "portal/register.html", {"form": form})


def confirm(request, token: str):
    try:
        user_id = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return render(request, "portal/message.html", {"title": _("The link is not valid"),
                                                        "text": _("It may have expired. Please register again.")},
                      status=400)
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user_id)
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
            audit.record(user, "account.confirm", user)
    messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
    return redirect("portal:login")


def login_view(request):
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        key = f"{ratelimit.client_address(request)}:{request.POST.get('username', '').lower()}"
        if ratelimit.exceeded("login", key):
            return _too_many(request)
        if form.is_valid():
            login(request, form.get_user())
            target = request.POST.get("next") or request.GET.get("next") or ""
            from django.utils.http import url_has_allowed_host_and_scheme

            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("portal:home")
            return redirect(target)
        ratelimit.hit("login", key)
    return render(request, "portal/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("portal:home")


def my_page(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('portal:login')}?next={request.path}")
    role = role_of(request.user)
    profile = getattr(request.user, "profile", None)
    context = {
        "profile": profile,
        "bookings": GuestDay.objects.filter(member=request.user).select_related("space").order_by("-day")[:50],
        "signups": EventSignup.objects.filter(user=request.user).select_related("event", "event__space")
        .order_by("event__starts", "event_id"),
    }
    if role == Profile.HOST and profile and profile.space_id:
        context["inbox"] = GuestDay.objects.filter(space_id=profile.space_id, status=GuestDay.REQUESTED) \
            .select_related("member").order_by("day")
    elif role == Profile.ADMIN:
        context["inbox"] = GuestDay.objects.filter(status=GuestDay.REQUESTED).select_related("member", "space") \
            .order_by("day")[:100]
    return render(request, "portal/me.html", context)
