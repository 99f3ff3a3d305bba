"""Every change to leads and their assignments. One transaction each; an event for each change.

Assignment runs in batches (``leads_assign``): new leads are claimed with SKIP LOCKED, decided
together by ``leads.routing.Router`` and written in bulk. The partial unique index on open
assignments is the last guard: a lead can never hold two.

Also here: where a lead is (``region_resolve``), the routing setup (assignment rules and lead sources,
which need ``manage_lead_routing``) and lead imports run by the worker (``lead_import_process``).
"""

import hashlib
import os
import re
import secrets
import time
import unicodedata
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer, Region
from dealers.validators import normalize_phone, validate_uscc
from dms import events
from dms.errors import DomainError, InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from dms.money import as_money
from dms.scoping import actor_or_none, dealer_q
from leads import verbs
from leads.models import (
    MAX_ACCEPT_MINUTES,
    MAX_WEIGHT,
    MIN_ACCEPT_MINUTES,
    Assignment,
    AssignmentRule,
    DealRegistration,
    FollowUp,
    Lead,
    LeadImport,
    LeadSource,
    LeadTouch,
)
from leads.routing import Router, rule_for
from leads.selectors import can_manage_routing
from orders.selectors import authorized_line_ids

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
    assign_soon: bool = True,
) -> tuple[Lead, bool]:
    """Take in a lead from any channel. A customer already seen within ``DMS_LEAD_DEDUPE_DAYS`` adds
    a touch to their lead (and its holder is told) instead of a second lead. Returns (lead, created).

    The assignment task is queued on commit, unless ``assign_soon`` is false: a caller taking in many
    leads in one transaction (an import chunk) queues one task for all of them."""
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
            created_by=actor_or_none(actor),
        )
        events.record(actor=actor, verb=verbs.LEAD_CREATED.code, target=lead, dealer_id=None, data={"source": source})
        if assign_soon:
            _assign_soon()
    return lead, True


# Lead sources: websites posting to the public API with their own key ----------------------------

SOURCE_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


def _require_routing(actor) -> None:
    if not can_manage_routing(actor):
        raise PermissionDeniedError()


def lead_source_create(*, actor, name: str, code: str) -> tuple[LeadSource, str]:
    """Register a website that may post leads; returns the source and its key, shown only once."""
    _require_routing(actor)
    name, code = (name or "").strip(), (code or "").strip().lower()
    if not name or len(name) > 100:
        raise RuleViolation(_("Give a name of at most 100 characters."), code="name_required", field="name")
    if not SOURCE_CODE.fullmatch(code) or len(code) > 40:
        raise RuleViolation(
            _("The code is 1 to 40 letters, digits, hyphens or underscores."), code="source_code_invalid", field="code"
        )
    key = secrets.token_urlsafe(32)
    taken = RuleViolation(_("Another lead source has this code."), code="source_code_taken", field="code")
    with transaction.atomic():
        if LeadSource.objects.filter(code=code).exists():
            raise taken
        try:
            with transaction.atomic():
                source = LeadSource.objects.create(name=name, code=code, key_hash=hash_key(key))
        except IntegrityError as exc:  # the same code saved at the same moment
            raise taken from exc
        events.record(actor=actor, verb=verbs.LEAD_SOURCE_CREATED.code, target=source, dealer_id=None)
    return source, key


def lead_source_rotate(*, actor, source: LeadSource) -> tuple[LeadSource, str]:
    """A new key for the source; the old one stops working at once. Returns the source and the key,
    shown only once."""
    _require_routing(actor)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = LeadSource.objects.select_for_update().get(pk=source.pk)
        if not locked.is_active:
            raise RuleViolation(_("This lead source is deactivated."), code="source_inactive")
        locked.key_hash = hash_key(key)
        locked.save(update_fields=["key_hash"])
        events.record(actor=actor, verb=verbs.SOURCE_KEY_ROTATED.code, target=locked, dealer_id=None)
    return locked, key


def lead_source_deactivate(*, actor, source: LeadSource) -> LeadSource:
    """The source's key stops working for good; its leads stay. Already inactive: nothing changes."""
    _require_routing(actor)
    with transaction.atomic():
        locked = LeadSource.objects.select_for_update().get(pk=source.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            events.record(actor=actor, verb=verbs.SOURCE_DEACTIVATED.code, target=locked, dealer_id=None)
    return locked


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lead_source_authenticate(key: str) -> LeadSource | None:
    """The active source a public request's key belongs to, or None."""
    if not key:
        return None
    return LeadSource.objects.filter(key_hash=hash_key(key), is_active=True).first()


# Assignment rules -------------------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "region",
    "product_line",
    "strategy",
    "accept_minutes",
    "weight_tier",
    "weight_distance",
    "weight_load",
    "weight_fairness",
    "priority",
    "is_active",
)
WEIGHTS = ("weight_tier", "weight_distance", "weight_load", "weight_fairness")
MAX_PRIORITY = 32767


def rule_check(rule: AssignmentRule) -> None:
    """The rule as it would be saved: every field in range, and no other active rule for the same scope
    and priority (which of the two would win would then depend only on which was made first)."""
    rule.name = (rule.name or "").strip()
    if not rule.name or len(rule.name) > 100:
        raise RuleViolation(_("Give a name of at most 100 characters."), code="name_required", field="name")
    if rule.strategy not in AssignmentRule.Strategy.values:
        raise RuleViolation(_("Unknown strategy."), code="invalid_strategy", field="strategy")
    if rule.region_id is not None and rule.region.level == Region.Level.COUNTRY:
        raise RuleViolation(
            _("Leave the region empty for a rule that applies everywhere."), code="region_is_country", field="region"
        )
    if not MIN_ACCEPT_MINUTES <= (rule.accept_minutes or 0) <= MAX_ACCEPT_MINUTES:
        raise RuleViolation(
            _("The time to accept is from %(min)d minutes to %(days)d days.")
            % {"min": MIN_ACCEPT_MINUTES, "days": MAX_ACCEPT_MINUTES // (24 * 60)},
            code="accept_minutes_out_of_range",
            field="accept_minutes",
        )
    for weight in WEIGHTS:
        if not 0 <= (getattr(rule, weight) or 0) <= MAX_WEIGHT:
            raise RuleViolation(
                _("A weight is from 0 to %(max)d.") % {"max": MAX_WEIGHT}, code="weight_out_of_range", field=weight
            )
    if rule.strategy == AssignmentRule.Strategy.WEIGHTED and not any(getattr(rule, w) for w in WEIGHTS):
        raise RuleViolation(
            _("A weighted rule needs at least one weight above zero."), code="weights_all_zero", field="weight_tier"
        )
    if not 0 <= (rule.priority or 0) <= MAX_PRIORITY:
        raise RuleViolation(
            _("The priority is from 0 to %(max)d.") % {"max": MAX_PRIORITY}, code="invalid_priority", field="priority"
        )
    if rule.is_active:
        twin = (
            AssignmentRule.objects.filter(
                is_active=True, region_id=rule.region_id, product_line_id=rule.product_line_id, priority=rule.priority
            )
            .exclude(pk=rule.pk)
            .first()
        )
        if twin is not None:
            raise RuleViolation(
                _("The active rule “%(rule)s” has the same region, product line and priority; change the priority.")
                % {"rule": twin.name},
                code="rule_scope_taken",
                field="priority",
            )


def _rule_data(rule: AssignmentRule) -> dict:
    return {
        "name": rule.name,
        "region": rule.region.code if rule.region_id else None,
        "product_line": rule.product_line.code if rule.product_line_id else None,
        **{field: getattr(rule, field) for field in RULE_FIELDS if field not in ("name", "region", "product_line")},
    }


def rule_create(
    *,
    actor,
    name: str,
    region=None,
    product_line=None,
    strategy: str = AssignmentRule.Strategy.WEIGHTED,
    accept_minutes: int | None = None,
    weight_tier: int = 30,
    weight_distance: int = 30,
    weight_load: int = 20,
    weight_fairness: int = 20,
    priority: int = 100,
    is_active: bool = True,
) -> AssignmentRule:
    """A rule ranking the candidates for leads in ``region``'s subtree and/or of ``product_line``."""
    _require_routing(actor)
    rule = AssignmentRule(
        name=name,
        region=region,
        product_line=product_line,
        strategy=strategy,
        accept_minutes=settings.DMS_LEAD_ACCEPT_MINUTES if accept_minutes is None else accept_minutes,
        weight_tier=weight_tier,
        weight_distance=weight_distance,
        weight_load=weight_load,
        weight_fairness=weight_fairness,
        priority=priority,
        is_active=is_active,
    )
    with transaction.atomic():
        rule_check(rule)
        rule.save()
        events.record(actor=actor, verb=verbs.RULE_CREATED.code, target=rule, dealer_id=None, data=_rule_data(rule))
    return rule


def rule_update(*, actor, rule: AssignmentRule, **changes) -> AssignmentRule:
    """Change any of ``RULE_FIELDS``; the event lists what changed. Leads already offered keep their
    deadline; the next assignments use the rule as it is now."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"rule_update() got unexpected fields {sorted(unknown)}")
    _require_routing(actor)
    with transaction.atomic():
        locked = (
            AssignmentRule.objects.select_for_update(of=("self",))
            .select_related("region", "product_line")
            .get(pk=rule.pk)
        )
        before = _rule_data(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        rule_check(locked)
        after = _rule_data(locked)
        changed = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
        if changed:
            locked.save()
            events.record(
                actor=actor, verb=verbs.RULE_UPDATED.code, target=locked, dealer_id=None, data={"changes": changed}
            )
    return locked


def rule_deactivate(*, actor, rule: AssignmentRule) -> AssignmentRule:
    """The rule stops ranking new leads (the next matching rule, or the default, takes over). Already
    inactive: nothing changes."""
    _require_routing(actor)
    with transaction.atomic():
        locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            events.record(actor=actor, verb=verbs.RULE_DEACTIVATED.code, target=locked, dealer_id=None)
    return locked


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
        for reason in {decision.reason for _lead, decision in unassigned}:
            Lead.objects.filter(pk__in=[lead.pk for lead, d in unassigned if d.reason == reason]).update(
                status=L.UNASSIGNED, unassigned_reason=reason, updated_at=now
            )
        admins: dict[int, list[int]] = {}
        for user_id, dealer_id in (
            get_user_model()
            .objects.filter(dealer_id__in={a.dealer_id for a in assignments}, role="dealer_admin", is_active=True)
            .values_list("pk", "dealer_id")
        ):
            admins.setdefault(dealer_id, []).append(user_id)
        events.record_many(
            [
                {
                    "actor": None,
                    "verb": verbs.LEAD_ASSIGNED.code,
                    "target": assignment.lead,
                    "dealer_id": assignment.dealer_id,
                    "data": {"dealer": assignment.dealer.code, "deadline": assignment.deadline.isoformat()},
                    "notify": admins.get(assignment.dealer_id, []),
                }
                for assignment in assignments
            ]
            + [
                {
                    "actor": None,
                    "verb": verbs.LEAD_UNASSIGNED.code,
                    "target": lead,
                    "dealer_id": None,
                    "data": {"reason": decision.reason},
                }
                for lead, decision in unassigned
            ]
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
        raise ReasonRequired()
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
        router = Router([locked], now=now, also=[dealer.pk])
        if dealer.status != Dealer.Status.ACTIVE or not router.authorized_here(dealer.pk, locked):
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


# After acceptance: follow-ups and the outcome ---------------------------------------------------

# The moves a lead makes once a dealer holds it; earlier states are the assignment's business.
PROGRESS = {
    L.ACCEPTED: frozenset({L.CONTACTED, L.QUALIFIED, L.WON, L.LOST}),
    L.CONTACTED: frozenset({L.QUALIFIED, L.WON, L.LOST}),
    L.QUALIFIED: frozenset({L.WON, L.LOST}),
}


def _held_by(actor, lead: Lead) -> tuple[Lead, Assignment]:
    """The lead locked, and the accepted assignment of the actor's dealer on it."""
    locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    assignment = locked.assignments.filter(status=A.ACCEPTED).select_related("dealer").first()
    if actor is None or not actor.is_dealer_user or assignment is None or assignment.dealer_id != actor.dealer_id:
        raise PermissionDeniedError()
    return locked, assignment


def _progress(lead: Lead, target: str) -> None:
    if target not in PROGRESS.get(lead.status, frozenset()):
        raise InvalidTransition(current=lead.get_status_display(), target=L(target).label)
    lead.status = target


def follow_up_add(*, actor, lead: Lead, kind: str, note: str = "", next_action_on=None) -> FollowUp:
    """Log a contact with the customer; the first one marks an accepted lead as contacted."""
    if kind not in FollowUp.Kind.values:
        raise RuleViolation(_("Unknown kind of follow-up."), code="invalid_kind", field="kind")
    if next_action_on is not None and next_action_on < timezone.localdate():
        raise RuleViolation(
            _("The next action cannot be in the past."), code="next_action_past", field="next_action_on"
        )
    with transaction.atomic():
        locked, assignment = _held_by(actor, lead)
        follow_up = FollowUp.objects.create(
            lead=locked,
            dealer_id=assignment.dealer_id,
            author=actor,
            kind=kind,
            note=(note or "").strip(),
            next_action_on=next_action_on,
        )
        if locked.status == L.ACCEPTED:
            _progress(locked, L.CONTACTED)
            locked.save(update_fields=["status", "updated_at"])
        events.record(
            actor=actor,
            verb=verbs.FOLLOW_UP_ADDED.code,
            target=locked,
            dealer_id=assignment.dealer_id,
            data={"kind": kind},
        )
    return follow_up


def lead_qualify(*, actor, lead: Lead) -> Lead:
    """The customer's need is confirmed."""
    with transaction.atomic():
        locked, assignment = _held_by(actor, lead)
        _progress(locked, L.QUALIFIED)
        locked.save(update_fields=["status", "updated_at"])
        events.record(actor=actor, verb=verbs.LEAD_QUALIFIED.code, target=locked, dealer_id=assignment.dealer_id)
    return locked


def lead_mark_won(*, actor, lead: Lead, amount, order=None) -> Lead:
    """The dealer won the customer, for ``amount``, optionally with the order that came of it."""
    amount = as_money(amount)
    if amount <= 0:
        raise RuleViolation(_("The amount must be more than zero."), code="invalid_amount", field="amount")
    with transaction.atomic():
        locked, assignment = _held_by(actor, lead)
        if order is not None and order.dealer_id != assignment.dealer_id:
            raise RuleViolation(_("The order must be your own."), code="order_not_yours", field="order")
        _progress(locked, L.WON)
        locked.won_amount, locked.won_order, locked.closed_at = amount, order, timezone.now()
        locked.save(update_fields=["status", "won_amount", "won_order", "closed_at", "updated_at"])
        events.record(
            actor=actor,
            verb=verbs.LEAD_WON.code,
            target=locked,
            dealer_id=assignment.dealer_id,
            data={"amount": str(amount), "order": order.number if order else None},
        )
    return locked


def lead_mark_lost(*, actor, lead: Lead, reason: str) -> Lead:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        locked, assignment = _held_by(actor, lead)
        _progress(locked, L.LOST)
        locked.lost_reason, locked.closed_at = reason[:500], timezone.now()
        locked.save(update_fields=["status", "lost_reason", "closed_at", "updated_at"])
        events.record(
            actor=actor,
            verb=verbs.LEAD_LOST.code,
            target=locked,
            dealer_id=assignment.dealer_id,
            data={"reason": reason},
        )
    return locked


def follow_ups_chase(*, now=None) -> dict:
    """Accepted leads without any follow-up: after ``DMS_LEAD_FOLLOW_UP_HOURS`` the dealer is reminded,
    after twice as long the dealer's owner at head office is told. Each happens once; safe to run twice."""
    now = now or timezone.now()
    window = timedelta(hours=settings.DMS_LEAD_FOLLOW_UP_HOURS)
    silent = Assignment.objects.filter(status=A.ACCEPTED, lead__status=L.ACCEPTED).exclude(
        lead__follow_ups__isnull=False
    )
    done = {"reminded": 0, "escalated": 0}
    with transaction.atomic():
        for assignment in (
            silent.filter(reminded_at__isnull=True, responded_at__lte=now - window)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("lead", "dealer")
        ):
            Assignment.objects.filter(pk=assignment.pk).update(reminded_at=now)
            events.record(
                actor=None,
                verb=verbs.FOLLOW_UP_REMINDER.code,
                target=assignment.lead,
                dealer_id=assignment.dealer_id,
                notify=list(assignment.dealer.users.filter(is_active=True).values_list("pk", flat=True)),
            )
            done["reminded"] += 1
        for assignment in (
            silent.filter(escalated_at__isnull=True, reminded_at__isnull=False, responded_at__lte=now - 2 * window)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("lead", "dealer")
        ):
            Assignment.objects.filter(pk=assignment.pk).update(escalated_at=now)
            events.record(
                actor=None,
                verb=verbs.FOLLOW_UP_ESCALATED.code,
                target=assignment.lead,
                dealer_id=assignment.dealer_id,
                data={"dealer": assignment.dealer.code},
                notify=[assignment.dealer.owner_id] if assignment.dealer.owner_id else [],
            )
            done["escalated"] += 1
    return done


# Deal registration (报备) --------------------------------------------------------------------------

R = DealRegistration.Status
MAX_PROTECTION_DAYS = 3650


def _same_customer(*, key: str, uscc: str, phone: str) -> Q:
    same = Q(customer_key=key)
    if uscc:
        same |= Q(customer_uscc=uscc)
    if phone:
        same |= Q(customer_phone=phone)
    return same


def registration_submit(
    *,
    actor,
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
    phone = _clean_phone(customer_phone)
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


def _require_hq_for(actor, registration: DealRegistration) -> None:
    if actor is None or not actor.is_hq:
        raise PermissionDeniedError()
    if not Dealer.objects.filter(dealer_q(actor, field="pk"), pk=registration.dealer_id).exists():
        raise PermissionDeniedError()


def registration_approve(*, actor, registration: DealRegistration, days: int | None = None) -> DealRegistration:
    """Protect the customer for the dealer for ``DMS_DEAL_PROTECTION_DAYS`` (or ``days``)."""
    _require_hq_for(actor, registration)
    if days is not None and not 1 <= days <= MAX_PROTECTION_DAYS:
        raise RuleViolation(
            _("Protect for 1 to %(max)d days.") % {"max": MAX_PROTECTION_DAYS}, code="invalid_days", field="days"
        )
    days = days or settings.DMS_DEAL_PROTECTION_DAYS
    with transaction.atomic():
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != R.SUBMITTED:
            raise InvalidTransition(current=locked.get_status_display(), target=R.APPROVED.label)
        locked.status, locked.decided_by, locked.decided_at = R.APPROVED, actor, timezone.now()
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


def registration_reject(*, actor, registration: DealRegistration, reason: str) -> DealRegistration:
    _require_hq_for(actor, registration)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != R.SUBMITTED:
            raise InvalidTransition(current=locked.get_status_display(), target=R.REJECTED.label)
        locked.status, locked.decided_by, locked.decided_at = R.REJECTED, actor, timezone.now()
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
            DealRegistration.objects.filter(pk=registration.pk).update(status=R.EXPIRED)
            events.record(actor=None, verb=verbs.REGISTRATION_EXPIRED.code, target=registration)
    return len(ended)


# Lead imports (CSV or Excel, run by the worker) ---------------------------------------------------

# Rows taken in per transaction: progress moves every chunk, and a crash repeats at most one chunk's work
# (which was rolled back with it).
IMPORT_CHUNK = 100
# A run hands over to a fresh task after this long, well inside the worker's time limit.
IMPORT_TIME_BUDGET = 120
# A queued or running import that has not moved for this long is handed to the worker again.
IMPORT_STALLED_AFTER = timedelta(minutes=10)


def lead_import_start(*, actor, uploaded_file) -> LeadImport:
    """Check the file (readable, known columns, within the size and row limits), store it and queue it for
    the worker. Raises ``ImportFileError`` (``import_file_invalid``) with a message for the uploader."""
    from leads import importing

    if actor is None or not actor.is_hq:
        raise PermissionDeniedError()
    rows = importing.read(uploaded_file)
    uploaded_file.seek(0)
    with transaction.atomic():
        record = LeadImport(
            created_by=actor,
            file_name=os.path.basename(uploaded_file.name or "")[:200] or "upload",
            file_size=uploaded_file.size,
            language=translation.get_language() or "",
            total_rows=len(rows),
        )
        record.file.save("upload", uploaded_file, save=False)
        record.save()
        events.record(
            actor=actor,
            verb=verbs.IMPORT_STARTED.code,
            target=record,
            dealer_id=None,
            data={"file": record.file_name, "rows": record.total_rows},
        )
        _process_soon(record.pk)
    return record


def _process_soon(import_id: int) -> None:
    from leads.tasks import lead_import_task

    transaction.on_commit(lambda: lead_import_task.delay(import_id))


def lead_import_process(*, import_id: int, chunk_size: int = IMPORT_CHUNK, time_budget: float = IMPORT_TIME_BUDGET):
    """Take in the import's rows from ``processed_rows`` on, chunk by chunk, each row through ``lead_create``
    (source ``import``). Rows are independent leads: a refused row is recorded with its row number and
    message and the others go on. At least one chunk is taken in; returns the import, still running when
    the time budget ran out (the caller queues the rest).

    Safe to run twice, and at once: each chunk locks the import row, starts where the last committed chunk
    stopped and commits its leads together with the new counts, so no row is taken in twice. A finished
    (done or failed) import is never run again. A worker killed mid-chunk loses only that chunk's uncommitted
    work: the redelivered task, or the sweep of stalled imports, resumes from ``processed_rows``. A file
    that can no longer be read, or an error that is not a row's fault, marks the import failed and keeps
    the leads taken in before it.
    """
    from leads import importing

    started = time.monotonic()
    with transaction.atomic():
        record = LeadImport.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=import_id)
        if record.is_finished:
            return record
        if record.status == LeadImport.Status.QUEUED:
            record.status, record.started_at = LeadImport.Status.RUNNING, timezone.now()
            record.save(update_fields=["status", "started_at", "updated_at"])
    with translation.override(record.language or settings.LANGUAGE_CODE):
        try:
            with record.file.open("rb") as handle:
                rows = importing.read(handle)
        except (OSError, DomainError) as exc:
            return _import_fail(import_id, str(getattr(exc, "message", "") or _("The file can no longer be read.")))
        parser = importing.RowParser()
        actor = record.created_by
        more = True
        while more:
            try:
                record, more = _import_chunk(import_id, rows, parser, actor, chunk_size)
            except Exception as exc:
                _import_fail(import_id, _("An unexpected error stopped the import (%(error)s).") % {"error": exc})
                raise
            if time.monotonic() - started >= time_budget:
                break
    return record


def _import_chunk(import_id: int, rows: list[dict], parser, actor, chunk_size: int) -> tuple[LeadImport, bool]:
    """One chunk in one transaction; returns the import and whether rows are left."""
    with transaction.atomic():
        record = LeadImport.objects.select_for_update().get(pk=import_id)
        if record.is_finished:
            return record, False
        end = min(record.total_rows, len(rows), record.processed_rows + chunk_size)
        errors, created_before = [], record.created_count
        for row in rows[record.processed_rows : end]:
            number = row.get("_row", 0)
            try:
                values = parser.parse(row)
                _lead, created = lead_create(actor=actor, source=Lead.Source.IMPORT, assign_soon=False, **values)
            except DomainError as exc:
                errors.append({"row": number, "column": parser.label(exc.field), "message": str(exc.message)})
                continue
            if created:
                record.created_count += 1
            else:
                record.duplicate_count += 1
        if record.created_count > created_before:
            _assign_soon()
        record.processed_rows = end
        record.errors = [*record.errors, *errors]
        record.error_count += len(errors)
        more = end < min(record.total_rows, len(rows))
        if not more:
            record.status, record.finished_at = LeadImport.Status.DONE, timezone.now()
            record.total_rows = end
        record.save()
        if not more:
            events.record(
                actor=None,
                verb=verbs.IMPORT_FINISHED.code,
                target=record,
                dealer_id=None,
                data={
                    "created": record.created_count,
                    "duplicates": record.duplicate_count,
                    "errors": record.error_count,
                },
                notify=[record.created_by_id] if record.created_by_id else [],
            )
    return record, more


def _import_fail(import_id: int, failure: str) -> LeadImport:
    with transaction.atomic():
        record = LeadImport.objects.select_for_update().get(pk=import_id)
        if record.is_finished:
            return record
        record.status, record.finished_at, record.failure = LeadImport.Status.FAILED, timezone.now(), failure[:500]
        record.save(update_fields=["status", "finished_at", "failure", "updated_at"])
        events.record(
            actor=None,
            verb=verbs.IMPORT_FAILED.code,
            target=record,
            dealer_id=None,
            data={"failure": record.failure},
            notify=[record.created_by_id] if record.created_by_id else [],
        )
    return record


def lead_imports_stalled(*, now=None) -> list[int]:
    """Imports queued or running that have not moved for ``IMPORT_STALLED_AFTER``: their task was lost."""
    now = now or timezone.now()
    return list(
        LeadImport.objects.filter(
            status__in=[LeadImport.Status.QUEUED, LeadImport.Status.RUNNING], updated_at__lt=now - IMPORT_STALLED_AFTER
        ).values_list("pk", flat=True)
    )
