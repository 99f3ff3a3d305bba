"""Admin for regions and dealers. Status and tier change only through their services (with a reason)."""

from django.contrib import admin, messages
from django.db import transaction

from dealers import services, verbs
from dealers.models import (
    ApplicationScore,
    Dealer,
    DealerApplication,
    DealerContact,
    DocumentType,
    QualificationDocument,
    Region,
    SelectionCriterion,
)
from dms import events


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "level", "parent", "latitude", "longitude"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["assigned_users"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        data = {
            f: form.cleaned_data[f] for f in ("code", "parent", "level", "name", "name_en", "latitude", "longitude")
        }
        try:
            saved = services.region_save(actor=request.user, region=obj if change else None, **data)
        except services.RuleViolation as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk, obj.path = saved.pk, saved.path


class ContactInline(admin.TabularInline):
    model = DealerContact
    extra = 0


@admin.register(Dealer)
class DealerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status", "tier", "region", "owner", "joined_on"]
    list_filter = ["status", "tier", "region__level"]
    search_fields = ["code", "name", "legal_name", "uscc"]
    autocomplete_fields = ["region", "owner"]
    filter_horizontal = ["served_regions"]
    readonly_fields = ["status", "tier", "created_at", "updated_at"]
    list_select_related = ["region", "owner"]
    inlines = [ContactInline]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            verb = verbs.DEALER_UPDATED if change else verbs.DEALER_CREATED
            changes = {f: [None, str(form.cleaned_data.get(f))] for f in form.changed_data}
            events.record(actor=request.user, verb=verb.code, target=obj, data={"changes": changes, "via": "admin"})


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "is_mandatory", "requires_expiry", "position"]
    list_editable = ["is_mandatory", "requires_expiry", "position"]


@admin.register(QualificationDocument)
class QualificationDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are uploaded and reviewed through the services (HQ pages, portal, API)."""

    list_display = ["dealer", "doc_type", "status", "number", "expires_on", "uploaded_at", "sha256"]
    list_filter = ["status", "doc_type"]
    search_fields = ["dealer__code", "dealer__name", "number", "sha256"]
    list_select_related = ["dealer", "doc_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SelectionCriterion)
class SelectionCriterionAdmin(admin.ModelAdmin):
    """The selection scorecard's criteria and weights (the total is normalised by their sum)."""

    list_display = ["code", "name", "name_en", "weight", "position", "is_active"]
    list_editable = ["weight", "position", "is_active"]


class ApplicationScoreInline(admin.TabularInline):
    model = ApplicationScore
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "reviewer", "score", "note", "scored_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DealerApplication)
class DealerApplicationAdmin(admin.ModelAdmin):
    """Read-only: applications move through their workflow on the HQ pages and the API."""

    list_display = ["number", "company_name", "uscc", "status", "source", "submitted_at", "reviewer", "dealer"]
    list_filter = ["status", "source"]
    search_fields = ["company_name", "legal_name", "uscc", "contact_name", "contact_email"]
    list_select_related = ["reviewer", "dealer"]
    inlines = [ApplicationScoreInline]
    exclude = ["access_token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
