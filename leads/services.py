"""Every change to leads and their assignments. One transaction each; an event for each change.

Assignment runs in batches (``leads_assign``): new leads are claimed with SKIP LOCKED, decided
together by ``leads.routing.Router`` and written in bulk. The partial unique index on open
assignments is the last guard: a lead can never hold two.
"""

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dealers.validators import normalize_phone
from dms import events
from dms.errors import InvalidTransition, PermissionDeniedError, RuleViolation
from dms.scoping import dealer_q
from leads import verbs
from leads.models import Assignment, Lead, LeadSource, LeadTouch
from leads.routing import Router, rule_for

A = Assignment.Status
L = Lead.Status
COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
# Leads whose outcome is still open: they count against the holder's capacity.
OPEN_LEAD = (L.ASSIGNED, L.ACCEPTED, L.CONTACTED, L.QUALIFIED)


def company_key(company: str) -> str:
    """A company name as de-duplication compares it: width and case folded, spaces and the usual
    legal-form suffixes dropped."""
    text = "".join(unicodedata.normalize("NFKC", company or "").casefold().split())
    for suffix in COMPANY_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text.removesuffix(suffix)
            break
    return text


def _clean_phone(phone: str) -> str:
    if not (phone or "").strip():
        return ""
    try:
        return normalize_phone(phone)
    except ValidationError as exc:
        raise RuleViolation(" ".join(exc.messages), code="phone_invalid", field="phone") from exc


def _duplicate_of(*, phone: str, email: str, key: str, region, since):
    """The recent lead of the same customer: same phone, same email, or same company in the region."""
    same = Q()
    if phone:
        same |= Q(phone=phone)
    if email:
        same |= Q(email__iexact=email)
    if key:
        same |= Q(company_key=key, region=region)
    if not same:
        return None
    return Lead.objects.select_for_update().filter(same, created_at__gte=since).order_by("created_at", "pk").first()


def lead_create(
    *,
    actor,
    source: str,
    contact_name: str,
    region,
    product_line,
    phone: str = "",
    email: str = "",
    company: str = "",
    address: str = "",
    latitude=None,
    longitude=None,
    estimated_value=None,
    message: str = "",
    consent: bool = False,
    consent_purpose: str = "",
    source_site=None,
) -> tuple[Lead, bool]:
    """Take in a lead from any channel. A customer already seen within ``DMS_LEAD_DEDUPE_DAYS`` adds
    a touch to their lead (and its holder is told) instead of a second lead. Returns (lead, created)."""
    if source not in Lead.Source.values:
        raise RuleViolation(_("Unknown lead source."), code="invalid_source", field="source")
    if not (contact_name or "").strip():
        raise RuleViolation(_("Give the contact's name."), code="contact_name_required", field="contact_name")
    phone = _clean_phone(phone)
    email = (email or "").strip().lower()
    if not phone and not email:
        raise RuleViolation(_("Give a phone number or an email address."), code="contact_required", field="phone")
    key = company_key(company)
    now = timezone.now()
    with transaction.atomic():
        existing = _duplicate_of(
            phone=phone,
            email=email,
            key=key,
            region=region,
            since=now - timedelta(days=settings.DMS_LEAD_DEDUPE_DAYS),
        )
        if existing is not None:
            LeadTouch.objects.create(lead=existing, source=source, message=(message or "").strip())
            Lead.objects.filter(pk=existing.pk).update(touches=F("touches") + 1, last_touch_at=now)
            existing.refresh_from_db()
            events.record(
                actor=actor,
                verb=verbs.LEAD_TOUCHED.code,
                target=existing,
                dealer_id=_holder_id(existing),
                data={"source": source},
                notify=_holder_people(existing),
            )
            return existing, False
        lead = Lead.objects.create(
            contact_name=contact_name.strip(),
            phone=phone,
            email=email,
            company=(company or "").strip(),
            company_key=key,
            region=region,
            address=(address or "").strip(),
            latitude=latitude,
            longitude=longitude,
            product_line=product_line,
            estimated_value=estimated_value,
            source=source,
            source_site=source_site,
            message=(message or "").strip(),
            consent=bool(consent),
            consent_at=now if consent else None,
            consent_purpose=(consent_purpose or "").strip() if consent else "",
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        events.record(actor=actor, verb=verbs.LEAD_CREATED.code, target=lead, dealer_id=None, data={"source": source})
        _assign_soon()
    return lead, True


def lead_source_create(*, actor, name: str, code: str) -> tuple[LeadSource, str]:
    """Register a website that may post leads; returns the source and its key, shown only once."""
    if actor is None or not actor.is_hq_admin:
        raise PermissionDeniedError()
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        source = LeadSource.objects.create(name=name.strip(), code=code.strip(), key_hash=hash_key(key))
        events.record(actor=actor, verb=verbs.LEAD_SOURCE_CREATED.code, target=source, dealer_id=None)
    return source, key


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lead_source_authenticate(key: str) -> LeadSource | None:
    """The active source a public request's key belongs to, or None."""
    if not key:
        return None
    return LeadSource.objects.filter(key_hash=hash_key(key), is_active=True).first()


def _assign_soon() -> None:
    from leads.tasks import leads_assign_task

    transaction.on_commit(leads_assign_task.delay)


def _open_assignment(lead: Lead) -> Assignment | None:
    return lead.assignments.filter(status__in=Assignment.OPEN).select_related("dealer").first()


def _holder_id(lead: Lead) -> int | None:
    assignment = _open_assignment(lead)
    return assignment.dealer_id if assignment else None


def _holder_people(lead: Lead) -> list[int]:
    assignment = _open_assignment(lead)
    if assignment is None:
        return []
    return list(assignment.dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True))


def _deadline(now, rule):
    return now + timedelta(minutes=rule.accept_minutes)


def leads_assign(*, batch_size: int = 500, now=None) -> dict:
    """Assign one batch of new leads. Claimed with SKIP LOCKED, so sweeps running at once take
    different leads; a crash rolls the batch back and the leads stay new for the next sweep."""
    now = now or timezone.now()
    with transaction.atomic():
        leads = list(
            Lead.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("region")
            .filter(status=L.NEW)
            .order_by("created_at", "pk")[:batch_size]
        )
        if not leads:
            return {"assigned": 0, "unassigned": 0}
        router = Router(leads, now=now)
        assignments, assigned_ids, unassigned = [], [], []
        for lead in leads:
            decision = router.decide(lead)
            if decision.dealer is None:
                unassigned.append((lead, decision))
                continue
            assignments.append(
                Assignment(
                    lead=lead,
                    dealer=decision.dealer,
                    rule_id=decision.rule.pk,
                    deadline=_deadline(now, decision.rule),
                    decision=decision.as_data(),
                )
            )
            assigned_ids.append(lead.pk)
        Assignment.objects.bulk_create(assignments)
        Lead.objects.filter(pk__in=assigned_ids).update(status=L.ASSIGNED, unassigned_reason="", updated_at=now)
        for lead, decision in unassigned:
            Lead.objects.filter(pk=lead.pk).update(
                status=L.UNASSIGNED, unassigned_reason=decision.reason, updated_at=now
            )
        for assignment in assignments:
            events.record(
                actor=None,
                verb=verbs.LEAD_ASSIGNED.code,
                target=assignment.lead,
                dealer_id=assignment.dealer_id,
                data={"dealer": assignment.dealer.code, "deadline": assignment.deadline.isoformat()},
                notify=list(
                    assignment.dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True)
                ),
            )
        for lead, decision in unassigned:
            events.record(
                actor=None,
                verb=verbs.LEAD_UNASSIGNED.code,
                target=lead,
                dealer_id=None,
                data={"reason": decision.reason},
            )
    return {"assigned": len(assignments), "unassigned": len(unassigned)}


def _locked_assignment(actor, assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("lead", "dealer").get(pk=assignment.pk)
    if actor is None or not actor.is_dealer_user or actor.dealer_id != locked.dealer_id:
        raise PermissionDeniedError()
    return locked


def assignment_accept(*, actor, assignment: Assignment, now=None) -> Assignment:
    """The dealer takes the lead, before the deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        if locked.status != A.OFFERED:
            raise InvalidTransition(current=locked.get_status_display(), target=A.ACCEPTED.label)
        if locked.deadline <= now:
            raise RuleViolation(_("The time to accept this lead has passed."), code="deadline_passed")
        locked.status, locked.responded_at = A.ACCEPTED, now
        locked.save(update_fields=["status", "responded_at"])
        Lead.objects.filter(pk=locked.lead_id).update(status=L.ACCEPTED, updated_at=now)
        events.record(actor=actor, verb=verbs.LEAD_ACCEPTED.code, target=locked.lead, dealer_id=locked.dealer_id)
    return locked


def assignment_decline(*, actor, assignment: Assignment, reason: str, now=None) -> Assignment:
    """The dealer gives the lead back with a reason; it goes to the next candidate."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason."), code="reason_required", field="reason")
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        if locked.status != A.OFFERED:
            raise InvalidTransition(current=locked.get_status_display(), target=A.DECLINED.label)
        locked.status, locked.responded_at, locked.response_reason = A.DECLINED, now, reason[:500]
        locked.save(update_fields=["status", "responded_at", "response_reason"])
        Lead.objects.filter(pk=locked.lead_id).update(status=L.NEW, updated_at=now)
        events.record(
            actor=actor,
            verb=verbs.LEAD_DECLINED.code,
            target=locked.lead,
            dealer_id=locked.dealer_id,
            data={"reason": reason},
        )
        _assign_soon()
    return locked


def assignments_recall_expired(*, now=None, batch_size: int = 500) -> int:
    """Offers not accepted by their deadline are recalled and the leads go back to be assigned again
    (to someone else: an expiry excludes the dealer). Safe to run twice or at once."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            Assignment.objects.select_for_update(skip_locked=True)
            .filter(status=A.OFFERED, deadline__lte=now)
            .select_related("lead")
            .order_by("deadline", "pk")[:batch_size]
        )
        if not expired:
            return 0
        Assignment.objects.filter(pk__in=[a.pk for a in expired]).update(status=A.EXPIRED, responded_at=now)
        Lead.objects.filter(pk__in=[a.lead_id for a in expired]).update(status=L.NEW, updated_at=now)
        for assignment in expired:
            events.record(
                actor=None, verb=verbs.LEAD_RECALLED.code, target=assignment.lead, dealer_id=assignment.dealer_id
            )
        _assign_soon()
    return len(expired)


def lead_assign_manually(*, actor, lead: Lead, dealer: Dealer, override_reason: str = "", now=None) -> Assignment:
    """Head office gives a lead to a dealer. Authorisation still holds; capacity can be exceeded only
    with a written reason. An open offer to another dealer is withdrawn."""
    now = now or timezone.now()
    if actor is None or not actor.is_hq:
        raise PermissionDeniedError()
    if not Dealer.objects.filter(dealer_q(actor, field="pk"), pk=dealer.pk).exists():
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).select_related("region").get(pk=lead.pk)
        if locked.status in (L.WON, L.LOST):
            raise RuleViolation(_("This lead is closed."), code="lead_closed")
        router = Router([locked], now=now)
        if dealer.status != Dealer.Status.ACTIVE or not router._authorized_here(dealer.pk, locked):
            raise RuleViolation(
                _("The dealer is not authorised for this product line where the lead is."), code="not_authorized"
            )
        override_reason = (override_reason or "").strip()
        if router.load.get(dealer.pk, 0) >= dealer.lead_capacity and not override_reason:
            raise RuleViolation(
                _("The dealer is at its capacity of open leads: give a reason to assign it anyway."),
                code="capacity_reached",
                field="override_reason",
            )
        current = _open_assignment(locked)
        if current is not None:
            Assignment.objects.filter(pk=current.pk).update(status=A.WITHDRAWN, responded_at=now)
        rule = rule_for(locked, router.rules)
        assignment = Assignment.objects.create(
            lead=locked,
            dealer=dealer,
            rule_id=rule.pk,
            deadline=_deadline(now, rule),
            decision={"manual": True},
            assigned_by=actor,
            override_reason=override_reason[:500],
        )
        Lead.objects.filter(pk=locked.pk).update(status=L.ASSIGNED, unassigned_reason="", updated_at=now)
        events.record(
            actor=actor,
            verb=verbs.LEAD_ASSIGNED.code,
            target=locked,
            dealer_id=dealer.pk,
            data={"dealer": dealer.code, "manual": True, "override_reason": override_reason},
            notify=list(dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True)),
        )
    return assignment
