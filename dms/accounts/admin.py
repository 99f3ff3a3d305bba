"""Admin for users and API tokens; changes go through services so they are recorded."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dms import events
from dms.accounts import services, verbs
from dms.accounts.models import ApiToken, User
from dms.errors import DomainError


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role", "dealer", "is_active", "last_login"]
    autocomplete_fields = ["dealer"]
    list_select_related = ["dealer"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("DMS"), {"fields": ("role", "dealer", "sees_all_without_regions", "phone", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("DMS"), {"fields": ("role", "dealer", "email", "first_name", "last_name")}),
    )
    actions = ["deactivate", "reactivate"]

    def save_model(self, request, obj, form, change):
        changes = {
            field: [events.plain(form.initial.get(field)), events.plain(form.cleaned_data.get(field))]
            for field in form.changed_data
            if field not in ("password", "password1", "password2", "usable_password")
        }
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            verb = verbs.USER_UPDATED if change else verbs.USER_CREATED
            events.record(
                actor=request.user,
                verb=verb.code,
                target=obj,
                data={"changes": changes, "via": "admin"},
                dealer_id=None,
            )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            services.user_password_changed(user=User.objects.get(pk=id), actor=request.user)
        return response

    def _set_active(self, request, queryset, active: bool):
        done = 0
        for user in queryset:
            try:
                services.user_set_active(actor=request.user, user=user, active=active)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(count)s users updated.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Deactivate selected users"))
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=_("Reactivate selected users"))
    def reactivate(self, request, queryset):
        self._set_active(request, queryset, True)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.token_revoke(actor=request.user, token=token)
            except DomainError as exc:
                self.message_user(request, f"{token}: {exc.message}", messages.ERROR)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)
