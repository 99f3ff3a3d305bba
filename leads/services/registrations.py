"""Deal registrations (报备): a dealer registers its own opportunity, head office approves it (protecting
the customer for the dealer) or rejects it, and protection ends on its date; each status move checked
against ``REGISTRATION_TRANSITIONS``."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dealers.validators import validate_uscc
from dms import events
from dms.accounts.models import User
from dms.errors import InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from dms.money import as_money
from dms.scoping import dealer_q
from leads import verbs
from leads.models import DealRegistration, Lead
from leads.services.common import sources
from leads.services.intake import clean_phone, company_key
from orders.selectors import authorized_line_ids

L = Lead.Status
R = DealRegistration.Status
MAX_PROTECTION_DAYS = 3650
REGISTRATION_TRANSITIONS: dict[str, frozenset[str]] = {
    R.SUBMITTED: frozenset({R.APPROVED, R.REJECTED}),
    R.APPROVED: frozenset({R.EXPIRED}),
    R.REJECTED: frozenset(),
    R.EXPIRED: frozenset(),
}


def registration_move(registration: DealRegistration, target: str) -> None:
    """The one place a registration's status is assigned, checked against ``REGISTRATION_TRANSITIONS``."""
    if target not in REGISTRATION_TRANSITIONS[registration.status]:
        raise InvalidTransition(current=registration.get_status_display(), target=R(target).label)
    registration.status = target


def registration_sources(target: str) -> frozenset[str]:
    """The statuses a registration may move to ``target`` from: what a bulk update filters on."""
    return sources(REGISTRATION_TRANSITIONS, target)


def _same_customer(*, key: str, uscc: str, phone: str) -> Q:
    same = Q(customer_key=key)
    if uscc:
        same |= Q(customer_uscc=uscc)
    if phone:
        same |= Q(customer_phone=phone)
    return same


def registration_submit(
    *,
    actor: User,
    product_line,
    customer_company: str,
    expected_value,
    expected_close_on,
    customer_uscc="",
    customer_phone="",
) -> DealRegistration:
    """A dealer registers its own opportunity. Refused while another dealer protects the customer;
    otherwise the open leads and registrations of the same customer are listed for head office."""
    if actor is None or not actor.is_dealer_user:
        raise PermissionDeniedError()
    key = company_key(customer_company)
    if not key:
        raise RuleViolation(_("Give the customer's company."), code="customer_required", field="customer_company")
    uscc = (customer_uscc or "").strip().upper()
    phone = clean_phone(customer_phone)
    if not uscc and not phone:
        raise RuleViolation(
            _("Give the customer's unified social credit code or phone number."),
            code="customer_id_required",
            field="customer_uscc",
        )
    if uscc:
        try:
            validate_uscc(uscc)
        except ValidationError as exc:
            raise RuleViolation(exc.messages[0], code="invalid_uscc", field="customer_uscc") from exc
    if Decimal(str(expected_value)) <= 0:
        raise RuleViolation(_("The amount must be more than zero."), code="invalid_amount", field="expected_value")
    if not authorized_line_ids(dealer=actor.dealer).filter(product_line_id=product_line.pk).exists():
        raise RuleViolation(
            _("Your dealer is not authorised for this product line."), code="line_not_authorized", field="product_line"
        )
    today = timezone.localdate()
    if expected_close_on < today:
        raise RuleViolation(
            _("The expected close date cannot be in the past."), code="close_date_past", field="expected_close_on"
        )
    same = _same_customer(key=key, uscc=uscc, phone=phone)
    with transaction.atomic():
        protected = (
            DealRegistration.objects.select_for_update()
            .filter(same, status=R.APPROVED, protected_until__gte=today)
            .exclude(dealer_id=actor.dealer_id)
            .first()
        )
        if protected is not None:
            raise RuleViolation(
                _("Another dealer has registered this customer: it is protected until %(day)s.")
                % {"day": protected.protected_until.isoformat()},
                code="customer_protected",
            )
        lead_match = Q(company_key=key)
        if phone:
            lead_match |= Q(phone=phone)
        clashes = [
            {"kind": "lead", "id": pk, "status": status}
            for pk, status in Lead.objects.filter(lead_match)
            .exclude(status__in=[L.WON, L.LOST])
            .values_list("pk", "status")
        ] + [
            {"kind": "registration", "id": pk, "dealer": dealer_id, "status": status}
            for pk, dealer_id, status in DealRegistration.objects.filter(
                same, status__in=[R.SUBMITTED, R.APPROVED]
            ).values_list("pk", "dealer_id", "status")
        ]
        registration = DealRegistration.objects.create(
            dealer_id=actor.dealer_id,
            customer_company=customer_company.strip(),
            customer_key=key,
            customer_uscc=uscc,
            customer_phone=phone,
            product_line=product_line,
            expected_value=as_money(expected_value),
            expected_close_on=expected_close_on,
            clashes=clashes,
            created_by=actor,
        )
        events.record(
            actor=actor,
            verb=verbs.REGISTRATION_SUBMITTED.code,
            target=registration,
            data={"clashes": len(clashes)},
        )
    return registration


def _require_hq_for(actor: User, registration: DealRegistration) -> None:
    if actor is None or not actor.is_hq:
        raise PermissionDeniedError()
    if not Dealer.objects.filter(dealer_q(actor, field="pk"), pk=registration.dealer_id).exists():
        raise PermissionDeniedError()


def registration_approve(*, actor: User, registration: DealRegistration, days: int | None = None) -> DealRegistration:
    """Protect the customer for the dealer for ``DMS_DEAL_PROTECTION_DAYS`` (or ``days``)."""
    _require_hq_for(actor, registration)
    if days is not None and not 1 <= days <= MAX_PROTECTION_DAYS:
        raise RuleViolation(
            _("Protect for 1 to %(max)d days.") % {"max": MAX_PROTECTION_DAYS}, code="invalid_days", field="days"
        )
    days = days or settings.DMS_DEAL_PROTECTION_DAYS
    with transaction.atomic():
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        registration_move(locked, R.APPROVED)
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.protected_until = timezone.localdate() + timedelta(days=days)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise RuleViolation(
                _("This customer is already protected for a dealer."), code="customer_protected"
            ) from exc
        events.record(
            actor=actor,
            verb=verbs.REGISTRATION_APPROVED.code,
            target=locked,
            data={"until": locked.protected_until.isoformat()},
            notify=list(locked.dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True)),
        )
    return locked


def registration_reject(*, actor: User, registration: DealRegistration, reason: str) -> DealRegistration:
    _require_hq_for(actor, registration)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        registration_move(locked, R.REJECTED)
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.decision_reason = reason[:500]
        locked.save()
        events.record(
            actor=actor,
            verb=verbs.REGISTRATION_REJECTED.code,
            target=locked,
            data={"reason": reason},
            notify=list(locked.dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True)),
        )
    return locked


def registrations_expire(*, today=None) -> int:
    """Protection ends on its date: approved registrations past it expire. Safe to run twice."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ended = list(
            DealRegistration.objects.select_for_update(skip_locked=True).filter(
                status=R.APPROVED, protected_until__lt=today
            )
        )
        for registration in ended:
            DealRegistration.objects.filter(pk=registration.pk, status__in=registration_sources(R.EXPIRED)).update(
                status=R.EXPIRED
            )
            events.record(actor=None, verb=verbs.REGISTRATION_EXPIRED.code, target=registration)
    return len(ended)
