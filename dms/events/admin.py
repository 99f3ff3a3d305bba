"""Admin views of the event log and notifications: read-only, since the log is the audit trail."""

from django.contrib import admin

from dms.events.models import Event, Notification, NotificationPreference


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "verb", "actor", "target_type", "target_repr", "dealer_id", "published_at"]
    list_filter = ["verb", "target_type"]
    search_fields = ["target_repr", "target_id", "actor__username"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "target_type"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "event", "read_at", "emailed_at"]
    list_filter = ["read_at"]
    search_fields = ["recipient__username"]
    list_select_related = ["recipient", "event", "event__actor"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "verb", "email"]
    search_fields = ["user__username", "verb"]
