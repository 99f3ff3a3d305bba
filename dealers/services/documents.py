"""Qualification documents: upload, verification, rejection and the daily expiry sweep."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers import verbs
from dealers.documents import EXPIRY_THRESHOLDS, check_upload
from dealers.models import Dealer, DocumentType, QualificationDocument
from dealers.services.dealers import check_in_scope, dealer_change_status, people_to_tell, require_hq
from dms import events
from dms.accounts.models import User
from dms.errors import PermissionDeniedError, ReasonRequired, RuleViolation


class DocumentNotPending(RuleViolation):
    code = "document_not_pending"
    message = _("Only a document waiting for review can be verified or rejected.")


# A document is reviewed once: verified or rejected, never changed back (a new upload replaces it).
DOCUMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    QualificationDocument.Status.PENDING: frozenset(
        {QualificationDocument.Status.VERIFIED, QualificationDocument.Status.REJECTED}
    ),
    QualificationDocument.Status.VERIFIED: frozenset(),
    QualificationDocument.Status.REJECTED: frozenset(),
}


def document_move(document: QualificationDocument, target: str) -> None:
    """The one place a document's status is assigned, checked against ``DOCUMENT_TRANSITIONS``."""
    if target not in DOCUMENT_TRANSITIONS[document.status]:
        raise DocumentNotPending()
    document.status = target


class ExpiryRequired(RuleViolation):
    code = "expiry_required"
    message = _("This kind of document needs an expiry date.")


class DuplicateFile(RuleViolation):
    code = "duplicate_file"
    message = _("This exact file is already on record for this document.")


def _require_may_upload(actor: User, dealer: Dealer) -> None:
    if actor.is_dealer_user:
        if actor.dealer_id != dealer.pk:
            raise PermissionDeniedError()
        return
    require_hq(actor)
    check_in_scope(actor, dealer)


def _document_data(document) -> dict:
    return {
        "doc_type": document.doc_type.code,
        "document_zh": document.doc_type.name,
        "document_en": document.doc_type.name_en,
        "document_id": document.pk,
    }


def document_upload(
    *, actor: User, dealer: Dealer, doc_type, file, number: str = "", issued_on=None, expires_on=None
) -> QualificationDocument:
    """Store a qualification document from the portal or HQ: PDF/JPEG/PNG by content, 10 MB at most,
    fingerprinted with SHA-256; it waits for HQ to verify it."""
    _require_may_upload(actor, dealer)
    checked = check_upload(file)
    if doc_type.requires_expiry and expires_on is None:
        raise ExpiryRequired(field="expires_on")
    if issued_on and expires_on and expires_on < issued_on:
        raise RuleViolation(
            _("The expiry date is before the issue date."), code="expiry_before_issue", field="expires_on"
        )
    if (
        QualificationDocument.objects.filter(dealer=dealer, doc_type=doc_type, sha256=checked.sha256)
        .exclude(status=QualificationDocument.Status.REJECTED)
        .exists()
    ):
        raise DuplicateFile(field="file")
    elsewhere = list(
        QualificationDocument.objects.filter(sha256=checked.sha256)
        .exclude(dealer=dealer)
        .values_list("dealer__code", flat=True)[:5]
    )
    document = QualificationDocument(
        dealer=dealer,
        doc_type=doc_type,
        original_name=(getattr(file, "name", "") or "document")[-200:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        number=number.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        uploaded_by=actor,
    )
    try:
        document.file.save(f"upload.{checked.extension}", file, save=False)
        with transaction.atomic():
            document.save()
            _record_upload(actor=actor, dealer=dealer, document=document, elsewhere=elsewhere)
    except IntegrityError as exc:
        # The partial unique index caught the same file uploaded twice at the same moment.
        _discard_file(document)
        raise DuplicateFile(field="file") from exc
    except BaseException:
        _discard_file(document)
        raise
    return document


def _discard_file(document) -> None:
    """A document whose row did not commit must not leave its file behind."""
    if document.file:
        document.file.delete(save=False)


def _record_upload(*, actor: User, dealer: Dealer, document: QualificationDocument, elsewhere: list[str]) -> None:
    events.record(
        actor=actor,
        verb=verbs.DOCUMENT_UPLOADED.code,
        target=dealer,
        data=_document_data(document),
        notify=[dealer.owner_id] if dealer.owner_id else (),
    )
    if elsewhere:
        # The same file on another dealer's record is worth a second look by head office; it is
        # recorded apart from the dealer's own history so that dealers never see other dealers.
        events.record(
            actor=actor,
            verb=verbs.DOCUMENT_DUPLICATE.code,
            target=dealer,
            data={**_document_data(document), "same_file_at_dealers": elsewhere},
            dealer_id=None,
        )


def document_verify(*, actor: User, document: QualificationDocument) -> QualificationDocument:
    """Verify a pending document; an onboarding dealer whose mandatory documents are all verified
    becomes active."""
    require_hq(actor)
    with transaction.atomic():
        locked = QualificationDocument.objects.select_for_update().select_related("doc_type").get(pk=document.pk)
        dealer = Dealer.objects.select_for_update().get(pk=locked.dealer_id)
        check_in_scope(actor, dealer)
        document_move(locked, QualificationDocument.Status.VERIFIED)
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        events.record(
            actor=actor,
            verb=verbs.DOCUMENT_VERIFIED.code,
            target=dealer,
            data=_document_data(locked),
            notify=people_to_tell(dealer),
        )
        if dealer.status == Dealer.Status.ONBOARDING and not missing_mandatory_documents(dealer):
            dealer_change_status(
                actor=actor,
                dealer=dealer,
                status=Dealer.Status.ACTIVE,
                reason=str(_("All mandatory documents are verified.")),
            )
    return locked


def document_reject(*, actor: User, document: QualificationDocument, reason: str) -> QualificationDocument:
    require_hq(actor)
    if not (reason or "").strip():
        raise ReasonRequired()
    with transaction.atomic():
        locked = QualificationDocument.objects.select_for_update().select_related("doc_type").get(pk=document.pk)
        dealer = Dealer.objects.get(pk=locked.dealer_id)
        check_in_scope(actor, dealer)
        document_move(locked, QualificationDocument.Status.REJECTED)
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.rejection_reason = reason.strip()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
        events.record(
            actor=actor,
            verb=verbs.DOCUMENT_REJECTED.code,
            target=dealer,
            data={**_document_data(locked), "reason": locked.rejection_reason},
            notify=people_to_tell(dealer),
        )
    return locked


def missing_mandatory_documents(dealer: Dealer, *, on=None) -> list[DocumentType]:
    """Mandatory document types without a verified document valid on the given day (today)."""
    today = on or timezone.localdate()
    valid = (
        QualificationDocument.objects.filter(dealer=dealer, status=QualificationDocument.Status.VERIFIED)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values("doc_type_id")
    )
    return list(DocumentType.objects.filter(is_mandatory=True).exclude(pk__in=valid))


def documents_check_expiry(*, today=None) -> dict:
    """The daily sweep: remind about verified documents expiring within 30, 7 and 0 days (once per
    document and threshold), and put active dealers whose mandatory document expired on probation.
    Safe to run twice."""
    today = today or timezone.localdate()
    reminded = 0
    horizon = today + timedelta(days=max(EXPIRY_THRESHOLDS))
    candidates = QualificationDocument.objects.filter(
        status=QualificationDocument.Status.VERIFIED, expires_on__isnull=False, expires_on__lte=horizon
    ).select_related("doc_type", "dealer")
    for document in candidates.iterator():
        days_left = (document.expires_on - today).days
        due = [t for t in EXPIRY_THRESHOLDS if days_left <= t and t not in document.expiry_notices]
        if not due:
            continue
        with transaction.atomic():
            locked = QualificationDocument.objects.select_for_update().get(pk=document.pk)
            due = [t for t in due if t not in locked.expiry_notices]
            if not due:
                continue
            locked.expiry_notices = sorted({*locked.expiry_notices, *due}, reverse=True)
            locked.save(update_fields=["expiry_notices"])
            events.record(
                actor=None,
                verb=verbs.DOCUMENT_EXPIRING.code,
                target=document.dealer,
                data={**_document_data(document), "expires_on": document.expires_on.isoformat(), "days": min(due)},
                notify=people_to_tell(document.dealer),
            )
            reminded += 1
    put_on_probation = 0
    for dealer in (
        Dealer.objects.filter(status=Dealer.Status.ACTIVE)
        .filter(documents__doc_type__is_mandatory=True, documents__expires_on__lt=today)
        .distinct()
    ):
        missing = missing_mandatory_documents(dealer, on=today)
        if missing:
            names = "、".join(t.name for t in missing)
            dealer_change_status(
                actor=None,
                dealer=dealer,
                status=Dealer.Status.PROBATION,
                reason=str(_("Mandatory documents expired: %(names)s") % {"names": names}),
            )
            put_on_probation += 1
    return {"reminded": reminded, "probation": put_on_probation}
