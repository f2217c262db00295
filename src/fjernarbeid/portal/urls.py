"""The portal's addresses."""

from django.contrib import admin
from django.urls import include, path

from fjernarbeid.portal.views import accounts, council, directory, interest, network, opendata


portal_patterns = [
    path("", directory.home, name="home"),
    path("spaces/new/", network.space_create, name="space_create"),
    path("spaces/<slug:slug>/", directory.space_detail, name="space"),
    path("spaces/<slug:slug>/edit/", network.space_edit, name="space_edit"),
    path("spaces/<slug:slug>/photos/", network.photo_upload, name="photo_upload"),
    path("spaces/<slug:slug>/use/", network.record_use, name="record_use"),
    path("spaces/<slug:slug>/book/", network.book_guest_day, name="book"),
    path("spaces/<slug:slug>/events.ics", opendata.space_ics, name="space_ics"),
    path("photos/<int:photo_id>/", network.photo_file, name="photo"),
    path("guest-days/<int:booking_id>/decide/", network.decide_guest_day, name="decide"),
    path("guest-days/<int:booking_id>/cancel/", network.cancel_guest_day, name="cancel"),
    path("guest-days/<int:booking_id>.ics", network.guest_day_ics, name="guest_day_ics"),
    path("events/", network.events, name="events"),
    path("events/new/", network.event_create, name="event_create"),
    path("events/<int:event_id>/", network.event_detail, name="event"),
    path("events/<int:event_id>/edit/", network.event_edit, name="event_edit"),
    path("events/<int:event_id>/sign-up/", network.event_sign_up, name="sign_up"),
    path("events.ics", opendata.region_ics, name="region_ics"),
    path("interest/", interest.interest, name="interest"),
    path("interest/delete/<str:token>/", interest.interest_delete_self, name="interest_delete_self"),
    path("council/interest/", interest.leads, name="leads"),
    path("council/interest.csv", interest.leads_csv, name="leads_csv"),
    path("council/interest/<int:lead_id>/delete/", interest.lead_delete, name="lead_delete"),
    path("council/audit/", council.audit_log, name="audit"),
    path("dashboard/", council.dashboard, name="dashboard"),
    path("dashboard.csv", council.dashboard_csv, name="dashboard_csv"),
    path("coverage/", council.coverage_page, name="coverage"),
    path("privacy/", directory.privacy, name="privacy"),
    path("open-data/", directory.about_data, name="open_data"),
    path("language/", directory.set_language, name="language"),
    path("register/", accounts.register, name="register"),
    path("register/confirm/<str:token>/", accounts.confirm, name="confirm"),
    path("login/", accounts.login_view, name="login"),
    path("logout/", accounts.logout_view, name="logout"),
    path("me/", accounts.my_page, name="me"),
    path("api/spaces", opendata.api_spaces, name="api_spaces"),
    path("api/spaces/<slug:slug>", opendata.api_space, name="api_space"),
    path("api/events", opendata.api_events, name="api_events"),
    path("api/openapi.json", opendata.openapi, name="openapi"),
    path("spaces.geojson", opendata.geojson, name="geojson"),
    path("spaces.csv", opendata.spaces_csv, name="csv"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Error pages in the portal's layout and the visitor's language.
handler400 = "fjernarbeid.portal.views.errors.bad_request"
handler403 = "fjernarbeid.portal.views.errors.permission_denied"
handler404 = "fjernarbeid.portal.views.errors.page_not_found"
handler500 = "fjernarbeid.portal.views.errors.server_error"
