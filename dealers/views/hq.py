"""HQ pages for dealers: list with filters and export, detail, create/edit, status and tier changes, contacts,
documents, onboarding review with the selection scorecard, and spreadsheet import."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from dealers import importing, sections, selectors, services
from dealers.filters import ApplicationFilterSet, DealerFilterSet
from dealers.forms.hq import (
    ApproveForm,
    ContactForm,
    DealerCreateForm,
    DealerForm,
    DealerImportForm,
    DocumentRejectForm,
    MessageForm,
    RejectForm,
    ScoreForm,
    StatusChangeForm,
    TierChangeForm,
)
from dealers.forms.portal import DocumentUploadForm
from dealers.forms.public import ApplicationForm
from dealers.models import Dealer, DealerApplication, DealerContact, QualificationDocument, SelectionCriterion
from dms.bulk import BulkActionMixin
from dms.errors import DomainError, RuleViolation
from dms.exports import ExportMixin, csv_response
from dms.forms import FormPageMixin, flash_form_errors, page_with_forms, row_error, run_service
from dms.pagination import Paginator
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView

EXPORT_COLUMNS = [  # lazy: the header follows the language of whoever exports
    ("code", gettext_lazy("Dealer code")),
    ("name", gettext_lazy("Name")),
    ("legal_name", gettext_lazy("Legal name")),
    ("uscc", gettext_lazy("Unified social credit code")),
    ("status", gettext_lazy("Status")),
    ("tier", gettext_lazy("Tier")),
    ("province", gettext_lazy("Province")),
    ("region", gettext_lazy("Home region")),
    ("owner", gettext_lazy("Owner")),
    ("payment_terms_days", gettext_lazy("Payment terms (days)")),
    ("lead_capacity", gettext_lazy("Capacity for open leads")),
    ("joined_on", gettext_lazy("Joined on")),
]


class DealerListView(ExportMixin, ScopedListView):
    allowed_roles = HQ
    selector = selectors.dealer_list
    filterset_class = DealerFilterSet
    template_name = "dealers/dealer_list.html"
    context_object_name = "dealers"
    export_name = "dealers"
    export_title = gettext_lazy("Dealers")
    export_columns = [label for _key, label in EXPORT_COLUMNS]

    def export_row(self, dealer: Dealer) -> list:
        region = dealer.region
        province = region if region.level == "province" else region.parent
        return [
            dealer.code,
            dealer.name,
            dealer.legal_name,
            dealer.uscc,
            dealer.get_status_display(),
            dealer.get_tier_display(),
            province.name if province else "",
            region.name,
            str(dealer.owner) if dealer.owner else "",
            dealer.payment_terms_days,
            dealer.lead_capacity,
            dealer.joined_on.isoformat() if dealer.joined_on else "",
        ]


class DealerDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.dealer_detail_queryset
    template_name = "dealers/dealer_detail.html"
    context_object_name = "dealer"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A form that failed comes back bound (see DealerActionView); the others start empty.
        context.setdefault("status_form", StatusChangeForm(initial={"status": ""}, auto_id=STATUS_AUTO_ID))
        allowed = services.STATUS_TRANSITIONS[self.object.status]
        context["status_form"].fields["status"].choices = [
            (s, label) for s, label in Dealer.Status.choices if s in allowed
        ]
        context.setdefault("tier_form", TierChangeForm(initial={"tier": self.object.tier}, auto_id=TIER_AUTO_ID))
        context.setdefault("contact_form", ContactForm(auto_id=CONTACT_AUTO_ID))
        context["overview"] = selectors.document_overview(dealer=self.object)
        context.setdefault("upload_form", DocumentUploadForm())
        context["tabs"] = sections.tabs(user=self.request.user, dealer=self.object)
        return context


class DealerSectionView(RoleRequiredMixin, TemplateView):
    """One tab of the dealer page: a section's rows about this dealer, one page at a time, with the tab bar. A dealer
    outside the user's scope, an unknown section and one the user does not have are all 404."""

    allowed_roles = HQ
    template_name = "dealers/sections/page.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        dealer = selectors.dealer_in_scope(user=user, dealer_id=self.kwargs["pk"])
        section = sections.get(self.kwargs["key"])
        if dealer is None or section is None or not section.allowed(user):
            raise Http404
        rows = section.rows(user=user, dealer=dealer)
        page = None
        if section.paginate_by:
            page = Paginator(rows, section.paginate_by).get_page(self.request.GET.get("page"))
        extra = section.context(user=user, dealer=dealer) if section.context else {}
        return super().get_context_data(
            dealer=dealer,
            section=section,
            tabs=sections.tabs(user=user, dealer=dealer, active=section.key),
            page_obj=page,
            rows=page.object_list if page else rows,
            see_all=section.see_all(user=user, dealer=dealer) if section.see_all else None,
            query_string="",
            **{**extra, **kwargs},  # a form that failed (see HqDocumentUploadView) replaces the section's empty one
        )


class DealerCreateView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = DealerCreateForm
    template_name = "dealers/dealer_form.html"

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["served_regions"] = list(data["served_regions"])
        dealer = run_service(form, services.dealer_create, actor=self.request.user, **data)
        if dealer is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Dealer %(dealer)s created.") % {"dealer": dealer})
        return HttpResponseRedirect(reverse("dealers:detail", args=[dealer.pk]))


class DealerEditView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = DealerForm
    template_name = "dealers/dealer_form.html"

    @cached_property
    def dealer(self):
        return get_object_or_404(selectors.dealer_detail_queryset(user=self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Dealer.objects.get(pk=self.dealer.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(dealer=self.dealer, **kwargs)

    def form_valid(self, form):
        data = {f: form.cleaned_data[f] for f in form.changed_data if f in services.EDITABLE_FIELDS}
        served = form.cleaned_data["served_regions"] if "served_regions" in form.changed_data else None
        data["code"] = form.cleaned_data["code"] or self.dealer.code
        dealer = run_service(
            form, services.dealer_update, actor=self.request.user, dealer=self.dealer, served_regions=served, **data
        )
        if dealer is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Dealer %(dealer)s saved.") % {"dealer": dealer})
        return HttpResponseRedirect(reverse("dealers:detail", args=[dealer.pk]))


# The ids of the inputs of the dealer page's forms, which share field names such as "reason".
STATUS_AUTO_ID, TIER_AUTO_ID, CONTACT_AUTO_ID = "status-%s", "tier-%s", "contact-%s"


class DealerActionView(FormPageMixin, RoleRequiredMixin, View):
    """POST-only actions on one dealer. A form that fails shows the dealer page again with the input kept and
    each error beside its field; a refusal about the dealer itself is a message on its page."""

    allowed_roles = HQ
    form_class = None
    form_name = ""
    auto_id = "id_%s"

    def post(self, request, pk):
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=pk)
        form = self.form_class(request.POST, auto_id=self.auto_id)
        if form.is_valid() and run_service(form, self.perform, dealer=dealer, **form.cleaned_data) is not None:
            messages.success(request, self.done_message)
            return redirect("dealers:detail", pk=pk)
        if form.non_field_errors():
            # A refusal about the dealer itself (such as a move its status does not allow) is a message.
            flash_form_errors(request, form)
            return redirect("dealers:detail", pk=pk)
        return page_with_forms(DealerDetailView, request, pk=pk, bound_forms={self.form_name: form})

    def form_page_url(self, *, pk):
        return reverse("dealers:detail", args=[pk])


class DealerStatusView(DealerActionView):
    form_class = StatusChangeForm
    form_name = "status_form"
    auto_id = STATUS_AUTO_ID
    done_message = _("Status changed.")

    def perform(self, *, dealer, status, reason):
        return services.dealer_change_status(actor=self.request.user, dealer=dealer, status=status, reason=reason)


class DealerTierView(DealerActionView):
    form_class = TierChangeForm
    form_name = "tier_form"
    auto_id = TIER_AUTO_ID
    done_message = _("Tier changed.")

    def perform(self, *, dealer, tier, reason):
        return services.dealer_change_tier(actor=self.request.user, dealer=dealer, tier=tier, reason=reason)


class ContactAddView(DealerActionView):
    form_class = ContactForm
    form_name = "contact_form"
    auto_id = CONTACT_AUTO_ID
    done_message = _("Contact added.")

    def perform(self, *, dealer, **fields):
        return services.contact_add(actor=self.request.user, dealer=dealer, **fields)


class ContactRemoveView(RoleRequiredMixin, View):
    allowed_roles = HQ

    def post(self, request, pk, contact_pk):
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=pk)
        contact = get_object_or_404(DealerContact, pk=contact_pk, dealer=dealer)
        services.contact_remove(actor=request.user, contact=contact)
        messages.success(request, _("Contact removed."))
        return redirect("dealers:detail", pk=pk)


def _documents_back(request, pk):
    """Back to the page the document form was on: the documents tab or the overview."""
    if request.POST.get("tab") == "documents":
        return redirect("dealers:section", pk=pk, key="documents")
    return redirect("dealers:detail", pk=pk)


class HqDocumentUploadView(FormPageMixin, RoleRequiredMixin, View):
    allowed_roles = HQ

    def form_page_url(self, *, pk):
        return reverse("dealers:detail", args=[pk])

    def post(self, request, pk):
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=pk)
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid() and run_service(
            form, services.document_upload, actor=request.user, dealer=dealer, **form.cleaned_data
        ):
            messages.success(request, _("Document uploaded; it waits for verification."))
        elif request.POST.get("tab") == "documents":
            forms = {"upload_form": form}
            return page_with_forms(DealerSectionView, request, pk=pk, key="documents", bound_forms=forms)
        else:
            return page_with_forms(DealerDetailView, request, pk=pk, bound_forms={"upload_form": form})
        return _documents_back(request, pk)


class DocumentReviewView(RoleRequiredMixin, View):
    allowed_roles = HQ
    decision = None

    def post(self, request, pk, document_pk):
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=pk)
        document = get_object_or_404(selectors.document_list(user=request.user), pk=document_pk, dealer=dealer)
        form = DocumentRejectForm(request.POST) if self.decision == "reject" else None
        if form is not None and not form.is_valid():
            # The form is one row of the document list: the message names the document it is about.
            row_error(form, " ".join(filter(None, [str(document.doc_type), document.number])))
            flash_form_errors(request, form)
            return _documents_back(request, pk)
        try:
            if self.decision == "reject":
                services.document_reject(actor=request.user, document=document, reason=form.cleaned_data["reason"])
                messages.success(request, _("Document rejected."))
            else:
                services.document_verify(actor=request.user, document=document)
                messages.success(request, _("Document verified."))
        except RuleViolation as exc:
            messages.error(request, exc.message)
        return _documents_back(request, pk)


class DocumentQueueView(BulkActionMixin, ScopedListView):
    """The documents of every dealer the user sees that wait for review, the oldest first, ticked and verified
    together; each is verified through ``document_verify`` as from its dealer's page."""

    allowed_roles = HQ
    selector = selectors.document_list
    template_name = "dealers/document_queue.html"
    context_object_name = "documents"
    bulk_actions = {"verify": gettext_lazy("Verified.")}

    def get_queryset(self):
        return super().get_queryset().filter(status=QualificationDocument.Status.PENDING).order_by("uploaded_at", "pk")

    def bulk_queryset(self):
        return selectors.document_list(user=self.request.user)

    def bulk_describe(self, document: QualificationDocument) -> tuple[str, str]:
        label = f"{document.dealer.code} · {document.doc_type.display_name}"
        return label, reverse("dealers:detail", args=[document.dealer_id])

    def bulk_perform(self, document: QualificationDocument, *, action: str, data: dict) -> None:
        services.document_verify(actor=self.request.user, document=document)


class ApplicationListView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.application_list
    filterset_class = ApplicationFilterSet
    template_name = "dealers/application_list.html"
    context_object_name = "applications"


class ApplicationDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.application_list
    template_name = "dealers/application_detail.html"
    context_object_name = "application"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.object
        criteria = list(SelectionCriterion.objects.filter(is_active=True))
        mine = {
            s.criterion_id: (s.score, s.note) for s in application.scores.all() if s.reviewer_id == self.request.user.pk
        }
        context.update(
            {
                "card": services.application_scorecard(application),
                "score_form": ScoreForm(criteria=criteria, initial_scores=mine),
                # A decision that failed comes back bound (see ApplicationActionView); the others start empty.
                **{
                    name: kwargs.get(name) or form_class(auto_id=auto_id)
                    for name, (form_class, auto_id) in DECISION_FORMS.items()
                },
                "approve_at": settings.DMS_SELECTION_APPROVE_AT,
                "recommend_at": settings.DMS_SELECTION_RECOMMEND_AT,
                "invitation_link": self.request.session.pop(f"dms:invite:{application.pk}", None),
            }
        )
        return context


class ApplicationCreateView(RoleRequiredMixin, FormView):
    """A channel manager enters an application received another way."""

    allowed_roles = HQ
    template_name = "dealers/application_form.html"
    form_class = ApplicationForm

    def form_valid(self, form):
        created = run_service(
            form,
            services.application_submit,
            actor=self.request.user,
            source=DealerApplication.Source.HQ,
            **form.service_data(),
        )
        if created is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Application %(number)s recorded.") % {"number": created[0].number})
        return HttpResponseRedirect(reverse("dealers:application_detail", args=[created[0].pk]))


# The decision forms of the application page: their context names, classes and input ids (two have a "reason").
DECISION_FORMS = {
    "approve_form": (ApproveForm, "approve-%s"),
    "message_form": (MessageForm, "message-%s"),
    "reject_form": (RejectForm, "reject-%s"),
}


class ApplicationActionView(FormPageMixin, RoleRequiredMixin, View):
    """POST-only review actions. A decision whose form fails, or whose reason the rules require, shows the
    application page again with the input kept and the error beside its field; other refusals are messages."""

    allowed_roles = HQ
    action = None

    def post(self, request, pk):
        application = get_object_or_404(selectors.application_list(user=request.user), pk=pk)
        self.form_name = self.form = None
        try:
            message = getattr(self, self.action)(request, application)
        except DomainError as exc:
            if self.form is None or exc.field not in self.form.fields:
                messages.error(request, exc.message)
                return redirect("dealers:application_detail", pk=pk)
            self.form.add_error(exc.field, str(exc.message))
        else:
            if message is not None:
                messages.success(request, message)
                return redirect("dealers:application_detail", pk=pk)
        return page_with_forms(ApplicationDetailView, request, pk=pk, bound_forms={self.form_name: self.form})

    def form_page_url(self, *, pk):
        return reverse("dealers:application_detail", args=[pk])

    def _valid(self, name, request):
        """The cleaned data of the decision form ``name``, or None when it is not valid (the page shows why)."""
        form_class, auto_id = DECISION_FORMS[name]
        self.form_name, self.form = name, form_class(request.POST, auto_id=auto_id)
        return self.form.cleaned_data if self.form.is_valid() else None

    def start_review(self, request, application):
        services.application_start_review(actor=request.user, application=application)
        return _("Review started.")

    def score(self, request, application):
        form = ScoreForm(request.POST, criteria=SelectionCriterion.objects.filter(is_active=True))
        if not form.is_valid():
            raise RuleViolation(_("A score is a whole number from 1 to 5."), code="invalid_score")
        card = services.application_score(actor=request.user, application=application, scores=form.scores())
        if card.total is None:
            return _("Scores saved.")
        return _("Scores saved. Weighted total: %(total)s") % {"total": card.total}

    def request_info(self, request, application):
        data = self._valid("message_form", request)
        if data is None:
            return None
        _application, token = services.application_request_info(
            actor=request.user, application=application, message=data["message"]
        )
        return _("Sent back to the applicant, who can answer at %(url)s") % {
            "url": services.application_access_url(application, token)
        }

    def reject(self, request, application):
        data = self._valid("reject_form", request)
        if data is None:
            return None
        services.application_reject(actor=request.user, application=application, reason=data["reason"])
        return _("Application rejected.")

    def approve(self, request, application):
        data = self._valid("approve_form", request)
        if data is None:
            return None
        _application, dealer, user, link = services.application_approve(
            actor=request.user, application=application, owner=data["owner"], reason=data["reason"]
        )
        request.session[f"dms:invite:{application.pk}"] = link
        return _("Approved: dealer %(dealer)s created; %(user)s is invited to set a password.") % {
            "dealer": dealer,
            "user": user.username,
        }


# The rows of one checked upload wait in the session under this prefix plus a random token, so the confirm step
# writes exactly what was checked without a second upload. One pending import per session.
SESSION_PREFIX = "dealers.import."


# A file full of mistakes would make an unreadable page; the first errors are enough to start fixing it.
MAX_ERRORS_SHOWN = 200


class DealerImportView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = DealerImportForm
    template_name = "dealers/dealer_import.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("template") == "csv":
            return self.template_csv()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request.POST["token"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = [(label, key in importing.REQUIRED) for key, label in importing.TEMPLATE_COLUMNS]
        context["max_errors_shown"] = MAX_ERRORS_SHOWN
        return context

    def form_valid(self, form):
        rows = run_service(form, importing.read, uploaded_file=form.cleaned_data["file"])
        if rows is None:
            return self.form_invalid(form)
        report = run_service(form, importing.plan_import, actor=self.request.user, rows=rows)
        if report is None:
            return self.form_invalid(form)
        token = self.remember(rows) if report.ok else None
        return self.show(report, token=token)

    def confirm(self, token: str):
        rows = self.request.session.pop(SESSION_PREFIX + token, None)
        if rows is None:
            messages.error(self.request, _("This import has expired or was already done; upload the file again."))
            return redirect(self.request.path)
        try:
            report = importing.apply_import(actor=self.request.user, rows=rows)
        except DomainError as exc:
            messages.error(self.request, str(exc.message))
            return redirect(self.request.path)
        if not report.created:
            messages.error(self.request, _("Nothing was imported: fix the rows below and upload the file again."))
            return self.show(report, token=None)
        messages.success(
            self.request,
            ngettext("%(count)d dealer imported.", "%(count)d dealers imported.", report.created)
            % {"count": report.created},
        )
        return redirect("dealers:list")

    def show(self, report: importing.ImportReport, *, token: str | None):
        return self.render_to_response(self.get_context_data(form=self.form_class(), report=report, token=token))

    def remember(self, rows: list[dict]) -> str:
        session = self.request.session
        stale = [key for key in tuple(session.keys()) if key.startswith(SESSION_PREFIX)]  # sessions are not iterable
        for key in stale:
            del session[key]
        token = secrets.token_urlsafe(16)
        session[SESSION_PREFIX + token] = rows
        return token

    def template_csv(self) -> HttpResponse:
        """An empty sheet with the Chinese column titles people fill in."""
        with translation.override("zh-hans"):
            header = [str(label) for _key, label in importing.TEMPLATE_COLUMNS]
        return csv_response("dealer-import-template.csv", header)
