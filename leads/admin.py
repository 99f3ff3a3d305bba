"""Read-only admin views of leads and their assignments; leads change only through the services."""

from django.contrib import admin

from leads.models import Assignment, AssignmentRule, Lead, LeadTouch


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["dealer", "status", "assigned_at", "deadline", "responded_at", "response_reason", "override_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "contact_name",
        "company",
        "region",
        "product_line",
        "source",
        "status",
        "touches",
        "created_at",
    ]
    list_filter = ["status", "source", "product_line"]
    search_fields = ["contact_name", "company", "phone", "email"]
    list_select_related = ["region", "product_line"]
    date_hierarchy = "created_at"
    inlines = [AssignmentInline]


@admin.register(LeadTouch)
class LeadTouchAdmin(ReadOnlyAdmin):
    list_display = ["lead", "source", "created_at"]
    list_select_related = ["lead"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "product_line", "strategy", "accept_minutes", "priority", "is_active"]
    list_select_related = ["region", "product_line"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["lead", "dealer", "status", "assigned_at", "deadline", "responded_at"]
    list_filter = ["status"]
    search_fields = ["dealer__code", "dealer__name", "lead__contact_name"]
    list_select_related = ["lead", "dealer"]
