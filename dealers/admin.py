"""Admin for regions and dealers. Status and tier change only through their services (with a reason)."""

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from dealers import services
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
from dms.errors import RuleViolation


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
        except RuleViolation as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk, obj.path = saved.pk, saved.path


class ContactFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        primaries = [f for f in self.forms if f.cleaned_data.get("is_primary") and not f.cleaned_data.get("DELETE")]
        if len(primaries) > 1:
            raise forms.ValidationError(_("Only one contact can be the primary contact."))


class ContactInline(admin.TabularInline):
    model = DealerContact
    extra = 0
    formset = ContactFormSet


class DealerAdminForm(forms.ModelForm):
    """The same checks as the HQ pages: a normalised, valid USCC and a head-office owner."""

    class Meta:
        model = Dealer
        fields = [
            "code",
            "name",
            "legal_name",
            "uscc",
            "region",
            "served_regions",
            "address",
            "latitude",
            "longitude",
            "owner",
            "payment_terms_days",
            "lead_capacity",
            "joined_on",
        ]

    def clean_uscc(self):
        # Uniqueness is then checked by the model form against the normalised code.
        try:
            return services.clean_uscc(self.cleaned_data["uscc"])
        except RuleViolation as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_owner(self):
        owner = self.cleaned_data.get("owner")
        try:
            services.check_owner(owner)
        except RuleViolation as exc:
            raise forms.ValidationError(exc.message) from exc
        return owner


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
    form = DealerAdminForm

    def save_model(self, request, obj, form, change):
        """Through the services, so the rules hold and the history records before and after."""
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS if f in form.cleaned_data}
        if change:
            changed = {f: data[f] for f in form.changed_data if f in data}
            saved = services.dealer_update(actor=request.user, dealer=obj, **changed)
        else:
            saved = services.dealer_create(actor=request.user, **data)
        obj.pk, obj.code = saved.pk, saved.code


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

    actions = ["verify"]

    @admin.action(description=_("Verify selected documents"))
    def verify(self, request, queryset):
        done = 0
        for document in queryset.filter(status=QualificationDocument.Status.PENDING):
            try:
                services.document_verify(actor=request.user, document=document)
                done += 1
            except RuleViolation as exc:
                self.message_user(request, f"{document}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(count)s documents verified.") % {"count": done}, messages.SUCCESS)

    def delete_model(self, request, obj):
        obj.file.delete(save=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for document in queryset:
            document.file.delete(save=False)
        super().delete_queryset(request, queryset)


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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
