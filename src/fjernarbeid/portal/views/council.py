"""The council's pages: goals and the dashboard of use against them, coverage of the region, the audit log."""

from __future__ import annotations

import csv
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fjernarbeid._cells import csv_writer
from fjernarbeid.portal import audit, dates, roles
from fjernarbeid.portal.coverage import coverage, served_share
from fjernarbeid.portal.goals import compare
from fjernarbeid.portal.models import AuditEntry, Goal, Space, TravelTime, UseRecord
from fjernarbeid.portal.region import (municipalities, places, population_year, region, sources,
                                       working_age_population)


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=gettext_lazy("Measure"), choices=Goal.METRICS)
    target = forms.FloatField(label=gettext_lazy("Target"), min_value=0)
    valid_from = dates.DateField(label=gettext_lazy("From month"), widget=forms.DateInput(attrs={"type": "month"}),
                                 input_formats=["%Y-%m", "%Y-%m-%d"])


def _records():
    return list(UseRecord.objects.values("month", "users", "guest_days", "events", "occupancy_percent"))


def chart_svg(points: list[tuple[str, float | None, float | None]], title: str) -> str:
    """A small bar chart (actual) with a target line, as inline SVG: readable without JavaScript."""
    width, height, pad = 640, 200, 30
    values = [v for _m, a, t in points for v in (a, t) if v is not None]
    top = max(values) * 1.1 if values and max(values) > 0 else 1.0
    n = max(len(points), 1)
    step = (width - 2 * pad) / n
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" role="img" '
             f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>',
             f'<line x1="{pad}" y1="{height}" x2="{width - pad}" y2="{height}" class="axis"/>']
    target_path = []
    for i, (label, actual, target) in enumerate(points):
        x = pad + i * step
        if actual is not None:
            h = (height - pad) * actual / top
            parts.append(f'<rect x="{x + 2:.1f}" y="{height - h:.1f}" width="{step - 4:.1f}" height="{h:.1f}" '
                         f'class="bar"><title>{escape(label)}: {actual:.1f}</title></rect>')
        if target is not None:
            y = height - (height - pad) * target / top
            target_path.append(f"{'M' if not target_path else 'L'}{x:.1f},{y:.1f} L{x + step:.1f},{y:.1f}")
        if n <= 13 or i % 3 == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height + 14}" class="tick">{escape(label)}</text>')
    if target_path:
        parts.append(f'<path d="{" ".join(target_path)}" class="target"/>')
    parts.append(f'<text x="{pad}" y="14" class="tick">{escape(_("max"))} {top / 1.1:.1f}</text></svg>')
    return "".join(parts)


def dashboard(request):
    if not (roles.is_admin(request.user) or roles.role_of(request.user) == "host"):
        raise PermissionDenied
    goals = list(Goal.objects.all())
    results = compare(_records(), goals)
    labels = dict(Goal.METRICS)
    series = []
    for metric, label in Goal.METRICS:
        rows = [r for r in results if r.metric == metric][-24:]
        points = [(r.month.strftime("%Y-%m"), r.actual, r.target) for r in rows]
        met = [r.met for r in rows if r.met is not None]
        series.append({"label": label, "rows": rows, "svg": chart_svg(points, str(label)),
                       "met": sum(met), "judged": len(met)})
    form = GoalForm(request.POST or None) if roles.can_set_goals(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                goal, _created = Goal.objects.update_or_create(
                    metric=data["metric"], valid_from=data["valid_from"].replace(day=1),
                    defaults={"target": data["target"], "set_by": request.user})
                audit.record(request.user, "goal.set", goal, metric=goal.metric, target=goal.target)
            return redirect("portal:dashboard")
    return render(request, "portal/dashboard.html", {"series": series, "form": form, "goals": goals,
                                                     "labels": labels})


def dashboard_csv(request):
    if not (roles.is_admin(request.user) or roles.role_of(request.user) == "host"):
        raise PermissionDenied
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(["month", "measure", "actual", "target", "met"])
    for r in compare(_records(), list(Goal.objects.all())):
        writer.writerow([r.month.strftime("%Y-%m"), r.metric,
                         "" if r.actual is None else round(r.actual, 3),
                         "" if r.target is None else r.target, "" if r.met is None else int(r.met)])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="goals.csv"'
    return response


class TravelTimeForm(forms.Form):
    table = forms.FileField(label=gettext_lazy("Travel times (CSV: geonameid, space, minutes)"))


def _read_travel_times(upload) -> list[tuple[int, Space, float]]:
    spaces = {s.slug: s for s in Space.objects.all()}
    known = {p.geonameid for p in places()}
    text = upload.read(2_000_000).decode("utf-8-sig")
    rows = []
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            place, slug, minutes = int(row["geonameid"]), row["space"].strip(), float(row["minutes"])
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(_("Line %(line)d: need the columns geonameid, space and minutes.")
                                        % {"line": line_no}) from None
        if place not in known:
            raise forms.ValidationError(_("Line %(line)d: unknown place %(place)s.") % {"line": line_no, "place": place})
        if slug not in spaces:
            raise forms.ValidationError(_("Line %(line)d: unknown space %(space)s.") % {"line": line_no, "space": slug})
        if minutes < 0:
            raise forms.ValidationError(_("Line %(line)d: minutes must not be negative.") % {"line": line_no})
        rows.append((place, spaces[slug], minutes))
    return rows


def coverage_page(request):
    spaces = list(Space.objects.all())
    times = {(t.place_geonameid, t.space_id): t.minutes for t in TravelTime.objects.all()}
    rows = coverage(places(), spaces, working_age_population(), times)
    radii = region()["coverage"]["radii_km"]
    names = municipalities()
    summary = []
    for radius in radii:
        served, total = served_share(rows, radius)
        summary.append({"radius": radius, "served": round(served), "total": round(total),
                        "percent": 100 * served / total if total else 0})
    form = TravelTimeForm(request.POST or None, request.FILES or None) if roles.can_load_travel_times(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                loaded = _read_travel_times(form.cleaned_data["table"])
            except forms.ValidationError as exc:
                form.add_error("table", exc)
            else:
                with transaction.atomic():
                    TravelTime.objects.all().delete()
                    TravelTime.objects.bulk_create([TravelTime(place_geonameid=p, space=s, minutes=m) for p, s, m in loaded])
                    audit.record(request.user, "travel_times.load", None, rows=len(loaded))
                return redirect("portal:coverage")
    return render(request, "portal/coverage.html", {
        "rows": sorted(rows, key=lambda r: -(r.distance_km or 0)), "summary": summary, "names": names,
        "population_year": population_year(), "sources": sources(), "form": form,
        "has_times": bool(times)})


def audit_log(request):
    if not roles.can_see_audit_log(request.user):
        raise PermissionDenied
    return render(request, "portal/audit.html", {"entries": AuditEntry.objects.all()[:500]})
