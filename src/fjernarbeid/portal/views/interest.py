"""Interest from would-be movers (report 4.5): the form with consent, a privacy notice, the council's export,
and deletion on request that really deletes."""

from __future__ import annotations

import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fjernarbeid._cells import csv_writer
from fjernarbeid._cells import neutralise
from fjernarbeid.portal import audit, ratelimit, roles
from fjernarbeid.portal.models import Interest
from fjernarbeid.portal.region import municipality_choices

CONSENT_TEXT = gettext_lazy(
    "I agree that the network's administrator (the councils of the region) stores what I have written here to "
    "contact me about moving and working here, for at most two years, and I know that I can have it deleted at "
    "any time.")


class InterestForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    lives_now = forms.CharField(label=gettext_lazy("Where do you live now?"), max_length=120)
    municipalities = forms.MultipleChoiceField(label=gettext_lazy("Which municipalities interest you?"), required=False,
                                               choices=municipality_choices, widget=forms.CheckboxSelectMultiple)
    needs = forms.MultipleChoiceField(label=gettext_lazy("What do you need?"), required=False,
                                      choices=list(Interest.NEEDS.items()), widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(label=gettext_lazy("Anything else?"), required=False, max_length=2000, widget=forms.Textarea)
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)


def interest(request):
    form = InterestForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.hit("form", ratelimit.client_address(request)):
            return render(request, "portal/message.html", {"title": _("Too many attempts"),
                                                            "text": _("Please wait a minute and try again.")},
                          status=429)
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                lead = Interest.objects.create(
                    name=data["name"], email=data["email"], lives_now=data["lives_now"],
                    municipalities=data["municipalities"], needs=data["needs"], message=data["message"],
                    consent=True, consent_text=str(CONSENT_TEXT))
                audit.record(None, "interest.create", lead)
            link = request.build_absolute_uri(reverse("portal:interest_delete_self", args=[lead.deletion_token]))
            send_mail(_("Your registration of interest"),
                      _("Thank you. To have everything you registered deleted, open this link:\n\n%(link)s\n")
                      % {"link": link}, None, [lead.email], fail_silently=True)
            return render(request, "portal/interest_thanks.html", {"deletion_link": link})
    return render(request, "portal/interest.html", {"form": form})


def interest_delete_self(request, token: str):
    """The person's own deletion link (right to erasure): a confirmation page, then a POST deletes."""
    lead = get_object_or_404(Interest, deletion_token=token)
    if request.method == "POST":
        _erase(lead, None)
        return render(request, "portal/message.html", {"title": _("Deleted"),
                                                        "text": _("Everything you registered is deleted.")})
    return render(request, "portal/interest_delete.html", {"lead": lead})


def _erase(lead: Interest, user) -> None:
    """Delete the row; the audit entry keeps only that a registration was deleted, no personal data."""
    with transaction.atomic():
        lead_id = lead.pk
        lead.delete()
        audit.record(user, "interest.delete", None, interest_id=lead_id)


def leads(request):
    if not roles.can_see_interest(request.user):
        raise PermissionDenied
    return render(request, "portal/leads.html", {"leads": Interest.objects.all()})


def leads_csv(request):
    if not roles.can_see_interest(request.user):
        raise PermissionDenied
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")  # a lead's free text never runs in Excel
    writer.writerow(["id", "created", "name", "email", "lives_now", "municipalities", "needs", "message", "consent_text"])
    for lead in Interest.objects.order_by("created"):
        # Free text from the public: a cell a spreadsheet would evaluate as a formula is made inert.
        writer.writerow([neutralise(v) for v in (
            lead.pk, lead.created.isoformat(timespec="seconds"), lead.name, lead.email, lead.lives_now,
            ";".join(lead.municipalities), ";".join(lead.needs), lead.message, lead.consent_text)])
    with transaction.atomic():
        audit.record(request.user, "interest.export", None, rows=Interest.objects.count())
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="interest.csv"'
    return response


@require_POST
def lead_delete(request, lead_id: int):
    if not roles.can_see_interest(request.user):
        raise PermissionDenied
    _erase(get_object_or_404(Interest, pk=lead_id), request.user)
    return redirect("portal:leads")
