"""Qualification documents: upload (HQ and portal), verify/reject (HQ), and the only way to read a
file: a view that checks the reader's scope. Files are never served from a public URL."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from dealers import selectors, services
from dealers.document_forms import DocumentRejectForm, DocumentUploadForm
from dms.forms import flash_form_errors, run_service
from dms.views import DEALER, EVERYONE, HQ, RoleRequiredMixin


class DocumentFileView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def get(self, request, pk):
        document = get_object_or_404(selectors.document_list(user=request.user), pk=pk)
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[document.content_type]
        response = FileResponse(
            handle,
            content_type=document.content_type,
            as_attachment=request.GET.get("download") == "1",
            filename=f"{document.dealer.code}-{document.doc_type.code}.{extension}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class HqDocumentUploadView(RoleRequiredMixin, View):
    allowed_roles = HQ

    def post(self, request, pk):
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=pk)
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid() and run_service(
            form, services.document_upload, actor=request.user, dealer=dealer, **form.cleaned_data
        ):
            messages.success(request, _("Document uploaded; it waits for verification."))
        else:
            flash_form_errors(request, form)
        return redirect("dealers:detail", pk=pk)


class DocumentReviewView(RoleRequiredMixin, View):
    allowed_roles = HQ
    decision = None

    def post(self, request, pk, document_pk):
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=pk)
        document = get_object_or_404(selectors.document_list(user=request.user), pk=document_pk, dealer=dealer)
        form = DocumentRejectForm(request.POST) if self.decision == "reject" else None
        if form is not None and not form.is_valid():
            flash_form_errors(request, form)
            return redirect("dealers:detail", pk=pk)
        try:
            if self.decision == "reject":
                services.document_reject(actor=request.user, document=document, reason=form.cleaned_data["reason"])
                messages.success(request, _("Document rejected."))
            else:
                services.document_verify(actor=request.user, document=document)
                messages.success(request, _("Document verified."))
        except services.RuleViolation as exc:
            messages.error(request, exc.message)
        return redirect("dealers:detail", pk=pk)


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
