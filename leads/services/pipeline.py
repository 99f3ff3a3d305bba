"""A lead's workflow (``LEAD_TRANSITIONS``) and what happens once a dealer holds it: follow-ups, the
qualification, the outcome (won or lost) and the reminders and escalations of silent leads."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms import events
from dms.accounts.models import User
from dms.errors import InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from dms.money import as_money
from leads import verbs
from leads.models import Assignment, FollowUp, Lead
from leads.services.common import sources

A = Assignment.Status
L = Lead.Status
# Every move of a lead's status. Up to acceptance the assignment drives it (offered, declined or recalled,
# taken by hand); from then on the dealer holding it. Head office may give an open lead to another dealer.
LEAD_TRANSITIONS: dict[str, frozenset[str]] = {
    L.NEW: frozenset({L.ASSIGNED, L.UNASSIGNED}),
    L.UNASSIGNED: frozenset({L.ASSIGNED}),
    L.ASSIGNED: frozenset({L.ASSIGNED, L.ACCEPTED, L.NEW}),
    L.ACCEPTED: frozenset({L.ASSIGNED, L.CONTACTED, L.QUALIFIED, L.WON, L.LOST}),
    L.CONTACTED: frozenset({L.ASSIGNED, L.QUALIFIED, L.WON, L.LOST}),
    L.QUALIFIED: frozenset({L.ASSIGNED, L.WON, L.LOST}),
    L.WON: frozenset(),
    L.LOST: frozenset(),
}


def lead_move(lead: Lead, target: str) -> None:
    """The one place a lead's status is assigned, checked against ``LEAD_TRANSITIONS``."""
    if target not in LEAD_TRANSITIONS[lead.status]:
        raise InvalidTransition(current=lead.get_status_display(), target=L(target).label)
    lead.status = target


def lead_sources(target: str) -> frozenset[str]:
    """The statuses a lead may move to ``target`` from: what a bulk update filters on."""
    return sources(LEAD_TRANSITIONS, target)


def _held_by(actor: User, lead: Lead) -> tuple[Lead, Assignment]:
    """The lead locked, and the accepted assignment of the actor's dealer on it."""
    locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    assignment = locked.assignments.filter(status=A.ACCEPTED).select_related("dealer").first()
    if actor is None or not actor.is_dealer_user or assignment is None or assignment.dealer_id != actor.dealer_id:
        raise PermissionDeniedError()
    return locked, assignment


def follow_up_add(*, actor: User, lead: Lead, kind: str, note: str = "", next_action_on=None) -> FollowUp:
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
            lead_move(locked, L.CONTACTED)
            locked.save(update_fields=["status", "updated_at"])
        events.record(
            actor=actor,
            verb=verbs.FOLLOW_UP_ADDED.code,
            target=locked,
            dealer_id=assignment.dealer_id,
            data={"kind": kind},
        )
    return follow_up


def lead_qualify(*, actor: User, lead: Lead) -> Lead:
    """The customer's need is confirmed."""
    with transaction.atomic():
        locked, assignment = _held_by(actor, lead)
        lead_move(locked, L.QUALIFIED)
        locked.save(update_fields=["status", "updated_at"])
        events.record(actor=actor, verb=verbs.LEAD_QUALIFIED.code, target=locked, dealer_id=assignment.dealer_id)
    return locked


def lead_mark_won(*, actor: User, lead: Lead, amount, order=None) -> Lead:
    """The dealer won the customer, for ``amount``, optionally with the order that came of it."""
    amount = as_money(amount)
    if amount <= 0:
        raise RuleViolation(_("The amount must be more than zero."), code="invalid_amount", field="amount")
    with transaction.atomic():
        locked, assignment = _held_by(actor, lead)
        if order is not None and order.dealer_id != assignment.dealer_id:
            raise RuleViolation(_("The order must be your own."), code="order_not_yours", field="order")
        lead_move(locked, L.WON)
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


def lead_mark_lost(*, actor: User, lead: Lead, reason: str) -> Lead:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        locked, assignment = _held_by(actor, lead)
        lead_move(locked, L.LOST)
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
