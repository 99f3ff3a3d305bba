"""Every change to dealers and their contacts. One transaction each; an event for each change."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers import verbs
from dealers.documents import EXPIRY_THRESHOLDS, check_upload
from dealers.models import (
    Dealer,
    DealerApplication,
    DealerContact,
    DocumentType,
    QualificationDocument,
    Region,
)
from dealers.validators import normalize_phone, normalize_uscc, validate_uscc
from dms import events
from dms.accounts.models import HQ_ROLES
from dms.errors import InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from dms.scoping import actor_or_none, dealer_q

S = Dealer.Status

# The only moves a dealer's status can make; every move needs a reason.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROSPECT: frozenset({S.ONBOARDING, S.TERMINATED}),
    S.ONBOARDING: frozenset({S.ACTIVE, S.TERMINATED}),
    S.ACTIVE: frozenset({S.PROBATION, S.SUSPENDED, S.TERMINATED}),
    S.PROBATION: frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.PROBATION, S.TERMINATED}),
    S.TERMINATED: frozenset(),
}

# What HQ may edit with dealer_update; status and tier have their own services with a reason.
EDITABLE_FIELDS = (
    "code",
    "name",
    "legal_name",
    "uscc",
    "region",
    "address",
    "latitude",
    "longitude",
    "owner",
    "payment_terms_days",
    "lead_capacity",
    "joined_on",
)


class UsccTaken(RuleViolation):
    code = "uscc_taken"
    message = _("A dealer with this unified social credit code already exists.")


class DealerCodeTaken(RuleViolation):
    code = "dealer_code_taken"
    message = _("This dealer code is already used.")


class OutOfTerritory(RuleViolation):
    code = "out_of_territory"
    message = _("The dealer would be outside your territory: choose a region you cover or make yourself the owner.")


class InvalidOwner(RuleViolation):
    code = "invalid_owner"
    message = _("The owner must be an active head-office user.")


def clean_uscc(value: str) -> str:
    uscc = normalize_uscc(value)
    try:
        validate_uscc(uscc)
    except ValidationError as exc:
        raise RuleViolation(
            " ".join(exc.messages), code=exc.error_list[0].code or "uscc_invalid", field="uscc"
        ) from exc
    return uscc


def _require_hq(actor) -> None:
    """HQ roles may act; ``None`` is the system itself (beat tasks), never a request."""
    if actor is None:
        return
    if not (actor.is_authenticated and actor.effective_role in HQ_ROLES):
        raise PermissionDeniedError()


def check_owner(owner) -> None:
    if owner is not None and (not owner.is_active or owner.effective_role not in HQ_ROLES):
        raise InvalidOwner(field="owner")


def _check_in_scope(actor, dealer: Dealer) -> None:
    """A write must leave the dealer inside the writer's scope (deny by default)."""
    if actor is None:
        return
    if not Dealer.objects.filter(dealer_q(actor, field="pk"), pk=dealer.pk).exists():
        raise OutOfTerritory(field="region")


def _save_unique(dealer: Dealer, **kwargs) -> None:
    try:
        with transaction.atomic():
            dealer.save(**kwargs)
    except IntegrityError as exc:
        if "uscc" in str(exc):
            raise UsccTaken(field="uscc") from exc
        if "code" in str(exc):
            raise DealerCodeTaken(field="code") from exc
        raise


def dealer_create(
    *,
    actor,
    name: str,
    legal_name: str,
    uscc: str,
    region: Region,
    code: str = "",
    tier: str = Dealer.Tier.C,
    status: str = Dealer.Status.PROSPECT,
    served_regions=(),
    address: str = "",
    latitude=None,
    longitude=None,
    owner=None,
    payment_terms_days: int = 30,
    lead_capacity: int = 20,
    joined_on=None,
    contacts=(),
) -> Dealer:
    """Register a dealer. Without a code it gets ``D`` + its number; reps and staff own what they add."""
    _require_hq(actor)
    uscc = clean_uscc(uscc)
    if owner is None and actor.effective_role != "hq_admin":
        owner = actor
    check_owner(owner)
    if status not in (Dealer.Status.PROSPECT, Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE):
        raise RuleViolation(_("A new dealer starts as a prospect, onboarding or active."), code="invalid_status")
    if Dealer.objects.filter(uscc=uscc).exists():
        raise UsccTaken(field="uscc")
    with transaction.atomic():
        dealer = Dealer(
            code=code.strip() or uscc,  # unique until the number is known, then D + number
            name=name.strip(),
            legal_name=legal_name.strip(),
            uscc=uscc,
            region=region,
            tier=tier,
            status=status,
            address=address,
            latitude=latitude,
            longitude=longitude,
            owner=owner,
            payment_terms_days=payment_terms_days,
            lead_capacity=lead_capacity,
            joined_on=joined_on or (timezone.localdate() if status == Dealer.Status.ACTIVE else None),
        )
        _save_unique(dealer)
        if not code.strip():
            dealer.code = f"D{dealer.pk:05d}"
            _save_unique(dealer, update_fields=["code"])
        if served_regions:
            dealer.served_regions.set(served_regions)
        for contact in contacts:
            _contact_create(dealer=dealer, **contact)
        _check_in_scope(actor, dealer)
        events.record(
            actor=actor,
            verb=verbs.DEALER_CREATED.code,
            target=dealer,
            data={"status": dealer.status, "tier": dealer.tier},
        )
    return dealer


def dealer_update(*, actor, dealer: Dealer, served_regions=None, **changes) -> Dealer:
    """Change a dealer's profile (not status or tier). The dealer must stay in the writer's scope."""
    _require_hq(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise RuleViolation(code="unknown_field", data={"fields": sorted(unknown)})
    if "uscc" in changes:
        changes["uscc"] = clean_uscc(changes["uscc"])
    if "owner" in changes:
        check_owner(changes["owner"])
    if "code" in changes:
        changes["code"] = (changes["code"] or "").strip()
        if not changes["code"]:
            raise RuleViolation(_("A dealer needs a code."), code="code_required", field="code")
    with transaction.atomic():
        locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
        _check_in_scope(actor, locked)
        changed = {}
        for field, value in changes.items():
            before = getattr(locked, field)
            if before != value:
                changed[field] = [events.plain(before), events.plain(value)]
                setattr(locked, field, value)
        if changed:
            _save_unique(locked)
        if served_regions is not None:
            before = sorted(r.code for r in locked.served_regions.all())
            after = sorted(r.code for r in served_regions)
            if before != after:
                locked.served_regions.set(served_regions)
                changed["served_regions"] = [", ".join(before), ", ".join(after)]
        if changed:
            _check_in_scope(actor, locked)
            events.record(actor=actor, verb=verbs.DEALER_UPDATED.code, target=locked, data={"changes": changed})
    return locked


def dealer_change_status(*, actor, dealer: Dealer, status: str, reason: str) -> Dealer:
    """Move a dealer along its transition table, with a reason; already there is a no-op."""
    _require_hq(actor)
    if not (reason or "").strip():
        raise ReasonRequired()
    if status not in Dealer.Status.values:
        raise RuleViolation(_("Unknown status."), code="invalid_status", field="status")
    with transaction.atomic():
        locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
        _check_in_scope(actor, locked)
        if locked.status == status:
            return locked
        if status not in STATUS_TRANSITIONS[locked.status]:
            raise InvalidTransition(current=locked.get_status_display(), target=Dealer.Status(status).label)
        previous = locked.status
        locked.status = status
        update = ["status", "updated_at"]
        if status == Dealer.Status.ACTIVE and locked.joined_on is None:
            locked.joined_on = timezone.localdate()
            update.append("joined_on")
        locked.save(update_fields=update)
        events.record(
            actor=actor,
            verb=verbs.STATUS_CHANGED.code,
            target=locked,
            data={"from": previous, "to": status, "reason": reason.strip()},
            notify=_people_to_tell(locked),
        )
    return locked


def dealer_change_tier(*, actor, dealer: Dealer, tier: str, reason: str) -> Dealer:
    _require_hq(actor)
    if not (reason or "").strip():
        raise ReasonRequired()
    if tier not in Dealer.Tier.values:
        raise RuleViolation(_("Unknown tier."), code="invalid_tier", field="tier")
    with transaction.atomic():
        locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
        _check_in_scope(actor, locked)
        if locked.tier == tier:
            return locked
        previous = locked.tier
        locked.tier = tier
        locked.save(update_fields=["tier", "updated_at"])
        events.record(
            actor=actor,
            verb=verbs.TIER_CHANGED.code,
            target=locked,
            data={"from": previous, "to": tier, "reason": reason.strip()},
            notify=_people_to_tell(locked),
        )
    return locked


def _people_to_tell(dealer: Dealer) -> list[int]:
    """The owner and the dealer's own administrators."""
    ids = list(dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True))
    if dealer.owner_id:
        ids.append(dealer.owner_id)
    return ids


def _contact_create(*, dealer: Dealer, name: str, phone: str, title: str = "", email: str = "", is_primary=False):
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise RuleViolation(" ".join(exc.messages), code="phone_invalid", field="phone") from exc
    if is_primary:
        dealer.contacts.filter(is_primary=True).update(is_primary=False)
    return DealerContact.objects.create(
        dealer=dealer,
        name=name.strip(),
        title=title.strip(),
        phone=phone,
        email=email,
        is_primary=is_primary or not dealer.contacts.exists(),
    )


def contact_add(*, actor, dealer: Dealer, **fields) -> DealerContact:
    _require_hq(actor)
    with transaction.atomic():
        locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
        _check_in_scope(actor, locked)
        contact = _contact_create(dealer=locked, **fields)
        events.record(actor=actor, verb=verbs.CONTACT_CHANGED.code, target=locked, data={"added": contact.name})
    return contact


def contact_remove(*, actor, contact: DealerContact) -> None:
    _require_hq(actor)
    with transaction.atomic():
        dealer = Dealer.objects.select_for_update().get(pk=contact.dealer_id)
        _check_in_scope(actor, dealer)
        was_primary = contact.is_primary
        name = contact.name
        contact.delete()
        if was_primary:
            successor = dealer.contacts.order_by("pk").first()
            if successor:
                DealerContact.objects.filter(pk=successor.pk).update(is_primary=True)
        events.record(actor=actor, verb=verbs.CONTACT_CHANGED.code, target=dealer, data={"removed": name})


def region_save(*, actor, region: Region | None, **fields) -> Region:
    """Create or change a region (HQ administrators); the subtree paths follow a new parent."""
    if not (actor and actor.is_authenticated and actor.is_hq_admin):
        raise PermissionDeniedError()
    with transaction.atomic():
        if region is None:
            region = Region(**fields)
        else:
            region = Region.objects.select_for_update().get(pk=region.pk)
            for key, value in fields.items():
                setattr(region, key, value)
        if region.level == Region.Level.COUNTRY or region.parent is None:
            raise RuleViolation(_("A region needs a parent; the country is the only root."), code="region_parent")
        old_path = region.path
        region.path = f"{region.parent.path}{region.code}/"
        if old_path and region.path.startswith(old_path):
            raise RuleViolation(_("A region cannot be moved under itself."), code="region_cycle", field="parent")
        try:
            with transaction.atomic():
                region.save()
        except IntegrityError as exc:
            raise RuleViolation(_("This region code already exists."), code="region_code_taken", field="code") from exc
        if old_path and old_path != region.path:
            for child in Region.objects.filter(path__startswith=old_path).exclude(pk=region.pk):
                child.path = region.path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
    return region


# Qualification documents ---------------------------------------------------------------------


class DocumentNotPending(RuleViolation):
    code = "document_not_pending"
    message = _("Only a document waiting for review can be verified or rejected.")


class ExpiryRequired(RuleViolation):
    code = "expiry_required"
    message = _("This kind of document needs an expiry date.")


class DuplicateFile(RuleViolation):
    code = "duplicate_file"
    message = _("This exact file is already on record for this document.")


def _require_may_upload(actor, dealer: Dealer) -> None:
    if actor.is_dealer_user:
        if actor.dealer_id != dealer.pk:
            raise PermissionDeniedError()
        return
    _require_hq(actor)
    _check_in_scope(actor, dealer)


def _document_data(document) -> dict:
    return {
        "doc_type": document.doc_type.code,
        "document_zh": document.doc_type.name,
        "document_en": document.doc_type.name_en,
        "document_id": document.pk,
    }


def document_upload(
    *, actor, dealer: Dealer, doc_type, file, number: str = "", issued_on=None, expires_on=None
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


def _record_upload(*, actor, dealer, document, elsewhere) -> None:
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


def document_verify(*, actor, document: QualificationDocument) -> QualificationDocument:
    """Verify a pending document; an onboarding dealer whose mandatory documents are all verified
    becomes active."""
    _require_hq(actor)
    with transaction.atomic():
        locked = QualificationDocument.objects.select_for_update().select_related("doc_type").get(pk=document.pk)
        dealer = Dealer.objects.select_for_update().get(pk=locked.dealer_id)
        _check_in_scope(actor, dealer)
        if locked.status != QualificationDocument.Status.PENDING:
            raise DocumentNotPending()
        locked.status = QualificationDocument.Status.VERIFIED
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        events.record(
            actor=actor,
            verb=verbs.DOCUMENT_VERIFIED.code,
            target=dealer,
            data=_document_data(locked),
            notify=_people_to_tell(dealer),
        )
        if dealer.status == Dealer.Status.ONBOARDING and not missing_mandatory_documents(dealer):
            dealer_change_status(
                actor=actor,
                dealer=dealer,
                status=Dealer.Status.ACTIVE,
                reason=str(_("All mandatory documents are verified.")),
            )
    return locked


def document_reject(*, actor, document: QualificationDocument, reason: str) -> QualificationDocument:
    _require_hq(actor)
    if not (reason or "").strip():
        raise ReasonRequired()
    with transaction.atomic():
        locked = QualificationDocument.objects.select_for_update().select_related("doc_type").get(pk=document.pk)
        dealer = Dealer.objects.get(pk=locked.dealer_id)
        _check_in_scope(actor, dealer)
        if locked.status != QualificationDocument.Status.PENDING:
            raise DocumentNotPending()
        locked.status = QualificationDocument.Status.REJECTED
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.rejection_reason = reason.strip()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
        events.record(
            actor=actor,
            verb=verbs.DOCUMENT_REJECTED.code,
            target=dealer,
            data={**_document_data(locked), "reason": locked.rejection_reason},
            notify=_people_to_tell(dealer),
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
                notify=_people_to_tell(document.dealer),
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


# Onboarding (准入) ----------------------------------------------------------------------------

A = DealerApplication.Status

APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    A.SUBMITTED: frozenset({A.UNDER_REVIEW}),
    A.UNDER_REVIEW: frozenset({A.APPROVED, A.REJECTED, A.NEEDS_INFO}),
    A.NEEDS_INFO: frozenset({A.SUBMITTED}),
    A.APPROVED: frozenset(),
    A.REJECTED: frozenset(),
}

APPLICATION_FIELDS = (
    "company_name",
    "legal_name",
    "registered_capital",
    "founded_year",
    "product_lines_wanted",
    "warehouse_area",
    "sales_team_size",
    "years_in_industry",
    "current_brands",
    "channels",
    "annual_revenue_band",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class ApplicationOpen(RuleViolation):
    code = "application_open"
    message = _("An application for this company is already being handled.")


class AlreadyDealer(RuleViolation):
    code = "already_a_dealer"
    message = _("This company is already one of our dealers.")


class ScorecardIncomplete(RuleViolation):
    code = "scorecard_incomplete"
    message = _("Score every criterion before deciding.")


class BelowThreshold(RuleViolation):
    code = "below_threshold"
    message = _("The score is below the approval threshold: only an HQ administrator may approve, with a reason.")


def application_token(application) -> str:
    """The applicant's secret link, derived (keyed hash) from the application and the site secret:
    nothing is stored, the link stays the same for the life of the application, and it cannot be
    guessed from the application number."""
    from django.utils.crypto import salted_hmac

    value = f"{application.pk}:{application.uscc}:{application.submitted_at.isoformat()}"
    return salted_hmac("dms.dealer-application", value).hexdigest()[:32]


def application_access_url(application, token: str) -> str:
    path = reverse("apply:status", args=[application.pk, token])
    return f"{settings.DMS_SITE_URL.rstrip('/')}{path}"


def application_by_token(*, pk: int, token: str):
    from django.utils.crypto import constant_time_compare

    application = DealerApplication.objects.filter(pk=pk).first()
    if application is None or not token or not constant_time_compare(application_token(application), token):
        return None
    return application


def _clean_application_fields(fields: dict) -> dict:
    fields = {k: v for k, v in fields.items() if k in APPLICATION_FIELDS}
    if "contact_phone" in fields:
        try:
            fields["contact_phone"] = normalize_phone(fields["contact_phone"])
        except ValidationError as exc:
            raise RuleViolation(" ".join(exc.messages), code="phone_invalid", field="contact_phone") from exc
    return fields


def _check_not_duplicate(uscc: str, *, exclude_pk=None) -> None:
    if Dealer.objects.filter(uscc=uscc).exists():
        raise AlreadyDealer(field="uscc")
    open_applications = DealerApplication.objects.filter(uscc=uscc, status__in=DealerApplication.OPEN_STATUSES)
    if exclude_pk:
        open_applications = open_applications.exclude(pk=exclude_pk)
    if open_applications.exists():
        raise ApplicationOpen(field="uscc")


def application_submit(*, actor=None, source: str, uscc: str, regions_wanted, **fields) -> tuple:
    """Record an application from the public form, the API or HQ; returns it with the applicant's
    secret link. A company with an open application or an existing dealership is refused."""
    if source == DealerApplication.Source.HQ:
        _require_hq(actor)
    uscc = clean_uscc(uscc)
    regions_wanted = list(regions_wanted)
    if not regions_wanted:
        raise RuleViolation(_("Choose at least one region."), code="regions_required", field="regions_wanted")
    fields = _clean_application_fields(fields)
    _check_not_duplicate(uscc)
    try:
        with transaction.atomic():
            application = DealerApplication(uscc=uscc, source=source, **fields)
            application.save()
            token = application_token(application)
            application.regions_wanted.set(regions_wanted)
            events.record(
                actor=actor_or_none(actor),
                verb=verbs.APPLICATION_SUBMITTED.code,
                target=application,
                data={"source": source},
                dealer_id=None,
            )
            transaction.on_commit(lambda: _send_application_receipt(application.pk, token))
    except IntegrityError as exc:
        # Two submissions for one company at the same moment: the partial unique index decides.
        raise ApplicationOpen(field="uscc") from exc
    return application, token


def _send_application_receipt(application_pk: int, token: str) -> None:
    from dealers.tasks import application_receipt_task

    application_receipt_task.delay(application_pk, token)


def _move_application(application, *, actor, status: str, data=None, notify=()):
    if status not in APPLICATION_TRANSITIONS[application.status]:
        raise InvalidTransition(current=application.get_status_display(), target=DealerApplication.Status(status).label)
    previous = application.status
    application.status = status
    events.record(
        actor=actor,
        verb=verbs.APPLICATION_STATUS.code,
        target=application,
        data={"from": previous, "to": status, **(data or {})},
        # Reviews, scores and reasons are head office's own: never in the dealer's history.
        dealer_id=None,
        notify=notify,
    )


def _locked_application(application):
    return DealerApplication.objects.select_for_update().get(pk=application.pk)


def application_start_review(*, actor, application):
    _require_hq(actor)
    with transaction.atomic():
        locked = _locked_application(application)
        if locked.status == A.UNDER_REVIEW:
            return locked
        _move_application(locked, actor=actor, status=A.UNDER_REVIEW)
        locked.reviewer = actor
        locked.save(update_fields=["status", "reviewer"])
    return locked


def application_score(*, actor, application, scores: list[dict]):
    """Record the actor's scores: ``[{"criterion": code, "score": 1..5, "note": ""}]``."""
    from dealers.models import ApplicationScore, SelectionCriterion

    _require_hq(actor)
    criteria = {c.code: c for c in SelectionCriterion.objects.filter(is_active=True)}
    with transaction.atomic():
        locked = _locked_application(application)
        if locked.status != A.UNDER_REVIEW:
            raise RuleViolation(_("Start the review before scoring."), code="not_under_review")
        for item in scores:
            criterion = criteria.get(item.get("criterion"))
            if criterion is None:
                raise RuleViolation(_("Unknown criterion."), code="unknown_criterion", field="scores")
            value = item.get("score")
            if not isinstance(value, int) or not 1 <= value <= 5:
                raise RuleViolation(_("A score is a whole number from 1 to 5."), code="invalid_score", field="scores")
            ApplicationScore.objects.update_or_create(
                application=locked,
                criterion=criterion,
                reviewer=actor,
                defaults={"score": value, "note": (item.get("note") or "")[:500]},
            )
        card = application_scorecard(locked)
        events.record(
            actor=actor,
            verb=verbs.APPLICATION_SCORED.code,
            target=locked,
            data={"total": str(card.total) if card.total is not None else None},
            dealer_id=None,
        )
    return card


def application_scorecard(application):
    from dealers import scorecard
    from dealers.models import SelectionCriterion

    return scorecard.compute(
        SelectionCriterion.objects.filter(is_active=True), list(application.scores.select_related("reviewer"))
    )


def application_request_info(*, actor, application, message: str) -> tuple:
    """Send the application back to the applicant with a question; returns it and a fresh link."""
    _require_hq(actor)
    if not (message or "").strip():
        raise RuleViolation(_("Say what information is needed."), code="message_required", field="message")
    with transaction.atomic():
        locked = _locked_application(application)
        _move_application(locked, actor=actor, status=A.NEEDS_INFO, data={"message": message.strip()})
        locked.info_request = message.strip()
        token = application_token(locked)
        locked.save(update_fields=["status", "info_request"])
        transaction.on_commit(lambda: _send_application_receipt(locked.pk, token))
    return locked, token


def application_resubmit(*, application, uscc=None, regions_wanted=None, **fields):
    """The applicant answers a request for information through their link and submits again."""
    fields = _clean_application_fields(fields)
    with transaction.atomic():
        locked = _locked_application(application)
        if locked.status != A.NEEDS_INFO:
            raise RuleViolation(_("This application is not waiting for information."), code="not_needs_info")
        if uscc is not None:
            uscc = clean_uscc(uscc)
            _check_not_duplicate(uscc, exclude_pk=locked.pk)
            locked.uscc = uscc
        for key, value in fields.items():
            setattr(locked, key, value)
        _move_application(
            locked, actor=None, status=A.SUBMITTED, notify=[locked.reviewer_id] if locked.reviewer_id else ()
        )
        locked.save()
        if regions_wanted is not None:
            locked.regions_wanted.set(list(regions_wanted))
    return locked


def application_reject(*, actor, application, reason: str):
    _require_hq(actor)
    if not (reason or "").strip():
        raise ReasonRequired()
    with transaction.atomic():
        locked = _locked_application(application)
        _move_application(locked, actor=actor, status=A.REJECTED, data={"reason": reason.strip()})
        locked.decision_reason = reason.strip()
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_at"])
    return locked


def application_approve(*, actor, application, owner=None, reason: str = "", username: str = "") -> tuple:
    """Approve: create the dealer (onboarding, owned by the reviewer unless another owner is chosen)
    and its administrator, who is invited to set a password. Returns (application, dealer, user,
    invitation link). A score below the threshold needs an HQ administrator and a reason. Two
    reviewers approving at once create one dealer: the application row is locked."""
    from dms.accounts.services import dealer_user_invite

    _require_hq(actor)
    with transaction.atomic():
        locked = _locked_application(application)
        if locked.status != A.UNDER_REVIEW:
            raise InvalidTransition(current=locked.get_status_display(), target=A.APPROVED.label)
        card = application_scorecard(locked)
        if not card.complete:
            raise ScorecardIncomplete()
        if card.below_threshold and (not actor.is_hq_admin or not (reason or "").strip()):
            raise BelowThreshold(field="reason")
        _check_not_duplicate(locked.uscc, exclude_pk=locked.pk)
        regions = list(locked.regions_wanted.all())
        dealer = dealer_create(
            actor=actor,
            name=locked.company_name,
            legal_name=locked.legal_name,
            uscc=locked.uscc,
            region=regions[0],
            status=Dealer.Status.ONBOARDING,
            served_regions=regions,
            owner=owner or locked.reviewer or actor,
            contacts=[
                {
                    "name": locked.contact_name,
                    "phone": locked.contact_phone,
                    "email": locked.contact_email,
                    "title": "",
                    "is_primary": True,
                }
            ],
        )
        user, link = dealer_user_invite(
            actor=actor,
            dealer_id=dealer.pk,
            role="dealer_admin",
            username=username or dealer.code.lower(),
            email=locked.contact_email,
            first_name=locked.contact_name,
            phone=locked.contact_phone,
        )
        locked.dealer = dealer
        _move_application(
            locked,
            actor=actor,
            status=A.APPROVED,
            data={"total": str(card.total), "reason": (reason or "").strip(), "dealer": dealer.code},
        )
        locked.decision_reason = (reason or "").strip()
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "dealer", "decision_reason", "decided_at"])
    return locked, dealer, user, link
