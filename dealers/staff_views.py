"""The dealer administrator's staff page in the portal: invite and deactivate their own staff."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from dms.accounts import services as accounts
from dms.accounts.models import Role, User
from dms.forms import BootstrapFormMixin, run_service
from dms.views import RoleRequiredMixin

DEALER_ADMIN = frozenset({Role.DEALER_ADMIN})


class StaffInviteForm(BootstrapFormMixin, forms.Form):
    username = forms.RegexField(label=gettext_lazy("Username"), regex=r"^[\w.@+-]+\Z", max_length=150)
    first_name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)


class PortalStaffView(RoleRequiredMixin, FormView):
    allowed_roles = DEALER_ADMIN
    template_name = "dealers/portal_staff.html"
    form_class = StaffInviteForm

    def get_context_data(self, **kwargs):
        staff = User.objects.filter(dealer_id=self.request.user.dealer_id).order_by("role", "username")
        return super().get_context_data(staff=staff, **kwargs)

    def form_valid(self, form):
        created = run_service(
            form,
            accounts.dealer_user_invite,
            actor=self.request.user,
            dealer_id=self.request.user.dealer_id,
            role=Role.DEALER_STAFF,
            **form.cleaned_data,
        )
        if created is None:
            return self.form_invalid(form)
        user, link = created
        messages.success(
            self.request,
            _("%(user)s is invited by email. You can also send them this link: %(url)s") % {"user": user, "url": link},
        )
        return redirect("portal:staff")


class PortalStaffActiveView(RoleRequiredMixin, View):
    allowed_roles = DEALER_ADMIN
    active = None

    def post(self, request, pk):
        member = get_object_or_404(User, pk=pk, dealer_id=request.user.dealer_id)
        try:
            accounts.dealer_staff_set_active(actor=request.user, user=member, active=self.active)
        except accounts.PermissionDeniedError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Staff account updated."))
        return redirect("portal:staff")
