"""Admin for the leads app. Assignment rules and lead sources are edited here through the services and only
with ``manage_lead_routing``; nothing is deleted (rules and sources are deactivated, so leads and
assignments keep what they refer to). Leads, assignments, follow-ups, registrations and imports are
read-only: they change on the HQ pages, the portal and the API, where every rule holds.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dms.errors import DomainError
from leads import selectors, services
from leads.models import (
    Assignment,
    AssignmentRule,
    DealRegistration,
    FollowUp,
    Lead,
    LeadImport,
    LeadSource,
    LeadTouch,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoutingAdmin(admin.ModelAdmin):
    """Adding and changing need ``manage_lead_routing``, as on every other door; nothing is deleted."""

    def has_add_permission(self, request, obj=None):
        return selectors.can_manage_routing(request.user)

    def has_change_permission(self, request, obj=None):
        return selectors.can_manage_routing(request.user)

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


class AssignmentRuleForm(forms.ModelForm):
    """Checked by the service's own rules before anything is saved, so a refusal shows on the form."""

    class Meta:
        model = AssignmentRule
        fields = services.RULE_FIELDS

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = AssignmentRule(pk=self.instance.pk, **{field: cleaned.get(field) for field in services.RULE_FIELDS})
        try:
            services.rule_check(candidate)
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))
        return cleaned


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(RoutingAdmin):
    form = AssignmentRuleForm
    list_display = ["name", "region", "product_line", "strategy", "accept_minutes", "priority", "is_active"]
    list_filter = ["is_active", "strategy", "product_line"]
    search_fields = ["name"]
    list_select_related = ["region", "product_line"]
    autocomplete_fields = ["region"]
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in services.RULE_FIELDS}
        try:
            if change:
                changed = {field: value for field, value in data.items() if field in form.changed_data}
                saved = services.rule_update(actor=request.user, rule=obj, **changed)
            else:
                saved = services.rule_create(actor=request.user, **data)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk
        obj._state.adding = False

    @admin.action(description=_("Deactivate the selected rules"), permissions=["change"])
    def deactivate(self, request, queryset):
        for rule in queryset:
            services.rule_deactivate(actor=request.user, rule=rule)
        count = queryset.count()
        self.message_user(
            request, ngettext("%(count)d rule deactivated.", "%(count)d rules deactivated.", count) % {"count": count}
        )


class LeadSourceForm(forms.ModelForm):
    class Meta:
        model = LeadSource
        fields = ["name", "code"]


@admin.register(LeadSource)
class LeadSourceAdmin(RoutingAdmin):
    """A new source's key, or a replaced one, is shown once in the message after saving."""

    form = LeadSourceForm
    list_display = ["name", "code", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    actions = ["rotate_key", "deactivate"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "code", "is_active", "created_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            saved, key = services.lead_source_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk
        obj._state.adding = False
        self.message_user(request, _("The key of %(source)s, shown only now: %(key)s") % {"source": saved, "key": key})

    @admin.action(description=_("Replace the key of the selected sources"), permissions=["change"])
    def rotate_key(self, request, queryset):
        for source in queryset:
            try:
                source, key = services.lead_source_rotate(actor=request.user, source=source)
            except DomainError as exc:
                self.message_user(request, f"{source}: {exc.message}", messages.ERROR)
                continue
            self.message_user(
                request, _("The new key of %(source)s, shown only now: %(key)s") % {"source": source, "key": key}
            )

    @admin.action(description=_("Deactivate the selected sources"), permissions=["change"])
    def deactivate(self, request, queryset):
        for source in queryset:
            services.lead_source_deactivate(actor=request.user, source=source)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d source deactivated.", "%(count)d sources deactivated.", count) % {"count": count},
        )


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["lead", "dealer", "status", "assigned_at", "deadline", "responded_at"]
    list_filter = ["status"]
    search_fields = ["dealer__code", "dealer__name", "lead__contact_name"]
    list_select_related = ["lead", "dealer"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["lead", "dealer", "kind", "author", "next_action_on", "created_at"]
    list_filter = ["kind"]
    search_fields = ["dealer__code", "dealer__name", "note"]
    list_select_related = ["lead", "dealer", "author"]


@admin.register(DealRegistration)
class DealRegistrationAdmin(ReadOnlyAdmin):
    """Read-only; the action approves through the service (for the default period). Rejecting needs a
    reason and is done on the HQ page or the API."""

    list_display = ["__str__", "dealer", "product_line", "expected_value", "status", "protected_until", "created_at"]
    list_filter = ["status", "product_line"]
    search_fields = ["customer_company", "customer_uscc", "customer_phone", "dealer__code", "dealer__name"]
    list_select_related = ["dealer", "product_line"]
    actions = ["approve"]

    def has_approve_permission(self, request):
        return bool(request.user.is_active and request.user.is_hq)

    @admin.action(description=_("Approve the selected registrations"), permissions=["approve"])
    def approve(self, request, queryset):
        approved = 0
        for registration in queryset.select_related("dealer"):
            try:
                services.registration_approve(actor=request.user, registration=registration)
            except DomainError as exc:
                self.message_user(request, f"{registration}: {exc.message}", messages.ERROR)
                continue
            approved += 1
        if approved:
            self.message_user(
                request,
                ngettext("%(count)d registration approved.", "%(count)d registrations approved.", approved)
                % {"count": approved},
            )


@admin.register(LeadImport)
class LeadImportAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "created_by",
        "status",
        "total_rows",
        "processed_rows",
        "created_count",
        "duplicate_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    exclude = ["file"]
