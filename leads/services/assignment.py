"""Giving leads to dealers and their answers. ``leads_assign`` runs in batches: new leads are claimed with
SKIP LOCKED, decided together by ``leads.routing.Router`` and written in bulk. The partial unique index on
open assignments is the last guard: a lead can never hold two. Also here: accepting, declining, the recall
of lapsed offers and head office's assignment by hand, each status move checked against
``ASSIGNMENT_TRANSITIONS``."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dms import events
from dms.accounts.models import User
from dms.errors import InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from dms.scoping import dealer_q
from leads import verbs
from leads.models import Assignment, Lead
from leads.routing import LEAD_FIELDS, Router, rule_for, with_region_path
from leads.selectors import open_assignment
from leads.services.common import queue_assignment, sources
from leads.services.pipeline import lead_move, lead_sources

A = Assignment.Status
L = Lead.Status
ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.OFFERED: frozenset({A.ACCEPTED, A.DECLINED, A.EXPIRED, A.WITHDRAWN}),
    A.ACCEPTED: frozenset({A.WITHDRAWN}),
    A.DECLINED: frozenset(),
    A.EXPIRED: frozenset(),
    A.WITHDRAWN: frozenset(),
}


def assignment_move(assignment: Assignment, target: str) -> None:
    """The one place an assignment's status is assigned, checked against ``ASSIGNMENT_TRANSITIONS``."""
    if target not in ASSIGNMENT_TRANSITIONS[assignment.status]:
        raise InvalidTransition(current=assignment.get_status_display(), target=A(target).label)
    assignment.status = target


def assignment_sources(target: str) -> frozenset[str]:
    """The statuses an assignment may move to ``target`` from: what a bulk update filters on."""
    return sources(ASSIGNMENT_TRANSITIONS, target)


def _deadline(now, rule):
    return now + timedelta(minutes=rule.accept_minutes)


def leads_assign(*, batch_size: int = 500, now=None) -> dict:
    """Assign one batch of new leads. Claimed with SKIP LOCKED, so sweeps running at once take
    different leads; a crash rolls the batch back and the leads stay new for the next sweep.
    Decided in memory, then written with one INSERT of assignments, one UPDATE per outcome, one query
    for the dealers' administrators to notify and one INSERT of events, whatever the batch size."""
    now = now or timezone.now()
    with transaction.atomic():
        leads = list(
            with_region_path(Lead.objects.select_for_update(skip_locked=True, of=("self",)).only(*LEAD_FIELDS))
            .filter(status=L.NEW)
            .order_by("created_at", "pk")[:batch_size]
        )
        if not leads:
            return {"assigned": 0, "unassigned": 0}
        router = Router(leads, now=now)
        given, unassigned = [], []
        for lead in leads:
            decision = router.decide(lead)
            if decision.dealer is None:
                unassigned.append(decision)
            else:
                given.append((decision, _deadline(now, decision.rule)))
        Assignment.objects.bulk_create(
            Assignment(
                lead_id=decision.lead.pk,
                dealer_id=decision.dealer.pk,
                rule_id=decision.rule.pk,
                deadline=deadline,
                decision=decision.as_data(),
            )
            for decision, deadline in given
        )
        Lead.objects.filter(
            pk__in=[decision.lead.pk for decision, _deadline in given], status__in=lead_sources(L.ASSIGNED)
        ).update(status=L.ASSIGNED, unassigned_reason="", updated_at=now)
        for reason in {decision.reason for decision in unassigned}:
            Lead.objects.filter(
                pk__in=[decision.lead.pk for decision in unassigned if decision.reason == reason],
                status__in=lead_sources(L.UNASSIGNED),
            ).update(status=L.UNASSIGNED, unassigned_reason=reason, updated_at=now)
        admins: dict[int, list[int]] = {}
        for user_id, dealer_id in (
            get_user_model()
            .objects.filter(
                dealer_id__in={decision.dealer.pk for decision, _deadline in given}, role="dealer_admin", is_active=True
            )
            .values_list("pk", "dealer_id")
        ):
            admins.setdefault(dealer_id, []).append(user_id)
        events.record_many(
            [
                {
                    "actor": None,
                    "verb": verbs.LEAD_ASSIGNED.code,
                    "target": decision.lead,
                    "dealer_id": decision.dealer.pk,
                    "data": {"dealer": decision.dealer.code, "deadline": deadline.isoformat()},
                    "notify": admins.get(decision.dealer.pk, []),
                }
                for decision, deadline in given
            ]
            + [
                {
                    "actor": None,
                    "verb": verbs.LEAD_UNASSIGNED.code,
                    "target": decision.lead,
                    "dealer_id": None,
                    "data": {"reason": decision.reason},
                }
                for decision in unassigned
            ]
        )
    return {"assigned": len(given), "unassigned": len(unassigned)}


def _locked_assignment(actor: User, assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("lead", "dealer").get(pk=assignment.pk)
    if actor is None or not actor.is_dealer_user or actor.dealer_id != locked.dealer_id:
        raise PermissionDeniedError()
    return locked


def assignment_accept(*, actor: User, assignment: Assignment, now=None) -> Assignment:
    """The dealer takes the lead, before the deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        assignment_move(locked, A.ACCEPTED)
        if locked.deadline <= now:
            raise RuleViolation(_("The time to accept this lead has passed."), code="deadline_passed")
        locked.responded_at = now
        locked.save(update_fields=["status", "responded_at"])
        lead_move(locked.lead, L.ACCEPTED)
        Lead.objects.filter(pk=locked.lead_id).update(status=locked.lead.status, updated_at=now)
        events.record(actor=actor, verb=verbs.LEAD_ACCEPTED.code, target=locked.lead, dealer_id=locked.dealer_id)
    return locked


def assignment_decline(*, actor: User, assignment: Assignment, reason: str, now=None) -> Assignment:
    """The dealer gives the lead back with a reason; it goes to the next candidate."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        assignment_move(locked, A.DECLINED)
        locked.responded_at, locked.response_reason = now, reason[:500]
        locked.save(update_fields=["status", "responded_at", "response_reason"])
        lead_move(locked.lead, L.NEW)
        Lead.objects.filter(pk=locked.lead_id).update(status=locked.lead.status, updated_at=now)
        events.record(
            actor=actor,
            verb=verbs.LEAD_DECLINED.code,
            target=locked.lead,
            dealer_id=locked.dealer_id,
            data={"reason": reason},
        )
        queue_assignment()
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
        Assignment.objects.filter(pk__in=[a.pk for a in expired], status__in=assignment_sources(A.EXPIRED)).update(
            status=A.EXPIRED, responded_at=now
        )
        Lead.objects.filter(pk__in=[a.lead_id for a in expired], status__in=lead_sources(L.NEW)).update(
            status=L.NEW, updated_at=now
        )
        for assignment in expired:
            events.record(
                actor=None, verb=verbs.LEAD_RECALLED.code, target=assignment.lead, dealer_id=assignment.dealer_id
            )
        queue_assignment()
    return len(expired)


def lead_assign_manually(*, actor: User, lead: Lead, dealer: Dealer, override_reason: str = "", now=None) -> Assignment:
    """Head office gives a lead to a dealer. Authorisation still holds; capacity can be exceeded only
    with a written reason. An open offer to another dealer is withdrawn."""
    now = now or timezone.now()
    if actor is None or not actor.is_hq:
        raise PermissionDeniedError()
    if not Dealer.objects.filter(dealer_q(actor, field="pk"), pk=dealer.pk).exists():
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = with_region_path(Lead.objects.select_for_update(of=("self",))).get(pk=lead.pk)
        if locked.status in (L.WON, L.LOST):
            raise RuleViolation(_("This lead is closed."), code="lead_closed")
        router = Router([locked], now=now, also=[dealer.pk])
        if dealer.status != Dealer.Status.ACTIVE or not router.authorized_here(dealer.pk, locked):
            raise RuleViolation(
                _("The dealer is not authorised for this product line where the lead is."), code="not_authorized"
            )
        override_reason = (override_reason or "").strip()
        if router.load_of(dealer.pk) >= dealer.lead_capacity and not override_reason:
            raise RuleViolation(
                _("The dealer is at its capacity of open leads: give a reason to assign it anyway."),
                code="capacity_reached",
                field="override_reason",
            )
        current = open_assignment(lead=locked)
        if current is not None:
            assignment_move(current, A.WITHDRAWN)
            Assignment.objects.filter(pk=current.pk).update(status=current.status, responded_at=now)
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
        lead_move(locked, L.ASSIGNED)
        Lead.objects.filter(pk=locked.pk).update(status=locked.status, unassigned_reason="", updated_at=now)
        events.record(
            actor=actor,
            verb=verbs.LEAD_ASSIGNED.code,
            target=locked,
            dealer_id=dealer.pk,
            data={"dealer": dealer.code, "manual": True, "override_reason": override_reason},
            notify=list(dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True)),
        )
    return assignment
