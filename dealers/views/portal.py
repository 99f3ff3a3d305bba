"""Dealer portal pages: the dealer's own qualification documents, and the administrator's staff page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from dealers import selectors, services
from dealers.forms.portal import DocumentUploadForm, StaffInviteForm
from dms.accounts import services as accounts
from dms.accounts.models import Role, User
from dms.forms import run_service
from dms.views import DEALER, RoleRequiredMixin


class PortalDocumentsView(RoleRequiredMixin, FormView):
    """The dealer's own documents: what is on record, what is missing, upload and renew."""

    allowed_roles = DEALER
    template_name = "dealers/portal_documents.html"
    form_class = DocumentUploadForm

    def get_initial(self):
        return {"doc_type": self.request.GET.get("type")}

    def get_context_data(self, **kwargs):
        dealer = self.request.user.dealer
        overview = selectors.document_overview(dealer=dealer)
        pending_types = {row["type"].pk for row in overview if any(d.status == "pending" for d in row["documents"])}
        missing = services.missing_mandatory_documents(dealer)
        return super().get_context_data(
            dealer=dealer,
            overview=overview,
            missing=[t for t in missing if t.pk not in pending_types],
            in_review=[t for t in missing if t.pk in pending_types],
            **kwargs,
        )

    def form_valid(self, form):
        user = self.request.user
        if run_service(form, services.document_upload, actor=user, dealer=user.dealer, **form.cleaned_data) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Document uploaded; head office will verify it."))
        return redirect("portal:documents")


DEALER_ADMIN = frozenset({Role.DEALER_ADMIN})


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
