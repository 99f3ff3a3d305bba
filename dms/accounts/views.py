"""HTML pages: sign-in and passwords, the user's own account settings, and HQ user management."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django.views.i18n import set_language

from dms.accounts import forms, selectors, services
from dms.accounts.filters import UserFilterSet
from dms.events.models import NotificationPreference
from dms.events.selectors import event_timeline
from dms.events.services import notification_preferences_set
from dms.forms import run_service
from dms.views import EVERYONE, HQ_ADMIN, RoleRequiredMixin, ScopedDetailView, ScopedListView


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets: the API keeps its JSON error; a browser gets an explanation."""
    if request.path.startswith("/api/") and original_response is not None:
        return original_response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "detail": _("Too many failed sign-in attempts. Try again later.")}, status=403
        )
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    extra_email_context = {"site_url": settings.DMS_SITE_URL}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        return response


class AccountSettingsView(RoleRequiredMixin, TemplateView):
    """The signed-in user's own page: profile, language, email notifications and API tokens."""

    allowed_roles = EVERYONE
    template_name = "accounts/account_settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        email_verbs = list(NotificationPreference.objects.filter(user=user, email=True).values_list("verb", flat=True))
        context.update(
            {
                "tokens": selectors.token_list(user=user),
                "token_form": kwargs.get("token_form") or forms.TokenCreateForm(),
                "preferences_form": forms.NotificationPreferencesForm(initial={"email_verbs": email_verbs}),
                "new_token_key": kwargs.get("new_token_key"),
            }
        )
        return context


class TokenCreateView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def post(self, request):
        form = forms.TokenCreateForm(request.POST)
        key = None
        if form.is_valid():
            created = run_service(form, services.token_create, user=request.user, **form.cleaned_data)
            if created:
                _token, key = created
                messages.success(request, _("API token created. Copy the key now: it will not be shown again."))
        view = AccountSettingsView(request=request, kwargs={})
        context = view.get_context_data(token_form=form if key is None else None, new_token_key=key)
        return render(request, view.template_name, context, status=200 if form.is_valid() else 400)


class TokenRevokeView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def post(self, request, pk):
        token = get_object_or_404(selectors.token_list(user=request.user), pk=pk)
        try:
            services.token_revoke(actor=request.user, token=token)
            messages.success(request, _("API token revoked."))
        except services.TokenRevoked as exc:
            messages.error(request, exc.message)
        return redirect("accounts:settings")


class NotificationPreferencesView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def post(self, request):
        form = forms.NotificationPreferencesForm(request.POST)
        if form.is_valid():
            saved = run_service(
                form,
                notification_preferences_set,
                user=request.user,
                email_verbs=form.cleaned_data["email_verbs"],
            )
            if saved is not None:
                messages.success(request, _("Notification settings saved."))
        return redirect("accounts:settings")


class LanguageSetView(View):
    """Switch the interface language; a signed-in user's choice is also kept on their account."""

    def post(self, request):
        language = request.POST.get("language", "")
        if request.user.is_authenticated and language in dict(settings.LANGUAGES):
            services.user_language_set(user=request.user, language=language)
        return set_language(request)


class UserListView(ScopedListView):
    allowed_roles = HQ_ADMIN
    selector = selectors.user_list
    filterset_class = UserFilterSet
    template_name = "accounts/user_list.html"


class UserDetailView(ScopedDetailView):
    allowed_roles = HQ_ADMIN
    selector = selectors.user_list
    template_name = "accounts/user_detail.html"
    context_object_name = "subject"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timeline"] = event_timeline(user=self.request.user, target=self.object)
        context["deactivate_form"] = forms.UserDeactivateForm()
        context["tokens"] = self.object.api_tokens.all()
        return context


class UserCreateView(RoleRequiredMixin, FormView):
    allowed_roles = HQ_ADMIN
    form_class = forms.UserForm
    template_name = "accounts/user_form.html"

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["dealer_id"] = data.pop("dealer")
        if "sees_all_without_regions" not in form.changed_data:
            data.pop("sees_all_without_regions")
        user = run_service(form, services.user_create, actor=self.request.user, **data)
        if user is None:
            return self.form_invalid(form)
        if not data["password"]:
            messages.info(
                self.request,
                _("Send this link to %(user)s to set a password: %(url)s")
                % {"user": user, "url": services.user_invitation_url(user=user)},
            )
        messages.success(self.request, _("User %(user)s created.") % {"user": user})
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[user.pk]))


class UserEditView(RoleRequiredMixin, FormView):
    allowed_roles = HQ_ADMIN
    form_class = forms.UserEditForm
    template_name = "accounts/user_form.html"

    @cached_property
    def subject(self):
        return get_object_or_404(selectors.user_list(user=self.request.user), pk=self.kwargs["pk"])

    def get_initial(self):
        s = self.subject
        return {
            "first_name": s.first_name,
            "last_name": s.last_name,
            "email": s.email,
            "phone": s.phone,
            "role": s.role,
            "dealer": s.dealer_id,
            "regions": list(s.regions.all()),
            "sees_all_without_regions": s.sees_all_without_regions,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=self.subject, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["dealer_id"] = data.pop("dealer")
        user = run_service(form, services.user_update, actor=self.request.user, user=self.subject, **data)
        if user is None:
            return self.form_invalid(form)
        messages.success(self.request, _("User %(user)s saved.") % {"user": user})
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[user.pk]))


class UserSetActiveView(RoleRequiredMixin, View):
    allowed_roles = HQ_ADMIN
    active = None

    def post(self, request, pk):
        subject = get_object_or_404(selectors.user_list(user=request.user), pk=pk)
        form = forms.UserDeactivateForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.user_set_active(actor=request.user, user=subject, active=self.active, reason=reason)
        except services.CannotDeactivateSelf as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("User reactivated.") if self.active else _("User deactivated."))
        return redirect("accounts:user_detail", pk=pk)
