"""Django's admin for the network administrator (superusers): every table of the portal, for corrections."""

from django.contrib import admin

from fjernarbeid.portal.models import AuditEntry, Event, GuestDay, Goal, Interest, Profile, Space, UseRecord


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "place", "capacity", "cell_offices", "fictional"]
    list_filter = ["municipality", "fictional"]
    search_fields = ["name", "place"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "space"]
    list_filter = ["role"]


@admin.register(GuestDay)
class GuestDayAdmin(admin.ModelAdmin):
    list_display = ["day", "member", "space", "status"]
    list_filter = ["status", "space"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "space", "starts", "capacity"]


admin.site.register(UseRecord)
admin.site.register(Goal)
admin.site.register(Interest)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["when", "username", "action", "object_type", "object_id"]

    def has_change_permission(self, request, obj=None):  # the log is not edited
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
