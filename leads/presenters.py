"""What the head-office lead pages show, shaped from the models and selector results: the routing decision
of an assignment (who the candidates were and why the winner won) and a lead's timeline."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.exports import local_minute
from dms.templatetags.money import cny
from leads.models import Assignment, AssignmentRule, Lead
from leads.routing import DefaultRule

A, L = Assignment.Status, Lead.Status
POINTS = (
    ("tier", gettext_lazy("Tier")),
    ("distance", gettext_lazy("Distance")),
    ("load", gettext_lazy("Free capacity")),
    ("fairness", gettext_lazy("Time since last lead")),
)


def holder(lead: Lead) -> Assignment | None:
    """The open assignment of a lead from ``selectors.leads_with_open_assignment``."""
    return lead.open_assignments[0] if lead.open_assignments else None


def region_code(path: str) -> str:
    """The last code of a region path: the region itself."""
    parts = [part for part in (path or "").split("/") if part]
    return parts[-1] if parts else ""


def _why(candidates: list[dict], strategy: str) -> str:
    """Why the winner won, in a sentence."""
    first = candidates[0]
    if "protected_by" in first:
        return _(
            "The customer is protected for this dealer by deal registration R%(number)06d: the lead goes to it "
            "whatever the ranking."
        ) % {"number": first["protected_by"]}
    if len(candidates) == 1:
        return _("It was the only candidate.")
    runner = candidates[1]
    if strategy == AssignmentRule.Strategy.ROUND_ROBIN:
        last = parse_datetime(first["last_assigned"]) if first.get("last_assigned") else None
        return _("Round robin: it had waited longest for a lead (last one: %(when)s).") % {
            "when": local_minute(last) if last else _("never")
        }
    if first.get("score") == runner.get("score"):
        return _("Tied on %(score)s points with %(next)s: the lower dealer code wins.") % {
            "score": first.get("score"),
            "next": runner.get("code"),
        }
    return _("Highest score: %(score)s points, %(margin)s ahead of %(next)s.") % {
        "score": first.get("score"),
        "margin": round(first.get("score", 0) - runner.get("score", 0), 2),
        "next": runner.get("code"),
    }


def _rule_name(assignment: Assignment) -> str:
    """The rule's current name, or the default rule's in the reader's language."""
    return assignment.rule.name if assignment.rule is not None else str(DefaultRule.name)


def routing_decision(assignment: Assignment, *, dealers: dict, regions: dict) -> dict:
    """The stored decision of an assignment (``routing.Decision.as_data``) as the lead page shows it."""
    data = assignment.decision or {}
    if data.get("manual") or not data.get("candidates"):
        return {"assignment": assignment, "manual": True}
    strategy = data.get("strategy", "")
    candidates = data["candidates"]
    rows = []
    for candidate in candidates:
        last = candidate.get("last_assigned")
        points = candidate.get("points") or {}
        rows.append(
            {
                "code": candidate.get("code", ""),
                "dealer": dealers.get(candidate.get("dealer")),
                "tier": candidate.get("tier", ""),
                "km": candidate.get("km"),
                "load": candidate.get("load"),
                "capacity": candidate.get("capacity"),
                "last_assigned": parse_datetime(last) if last else None,
                "points": [points.get(key) for key, _label in POINTS],
                "score": candidate.get("score"),
                "protected_by": candidate.get("protected_by"),
                "winner": candidate.get("dealer") == assignment.dealer_id,
            }
        )
    return {
        "assignment": assignment,
        "manual": False,
        "rule": _rule_name(assignment),
        "strategy": AssignmentRule.Strategy(strategy).label if strategy in AssignmentRule.Strategy.values else strategy,
        "level": regions.get(region_code(candidates[0].get("level", ""))),
        "candidates": rows,
        "protected_by": candidates[0].get("protected_by"),
        "why": _why(candidates, strategy),
        "round_robin": strategy == AssignmentRule.Strategy.ROUND_ROBIN,
    }


RESPONSES = {
    A.ACCEPTED: ("bi-check-circle", "success", gettext_lazy("Accepted by %(dealer)s")),
    A.DECLINED: ("bi-x-circle", "danger", gettext_lazy("Declined by %(dealer)s")),
    A.EXPIRED: ("bi-hourglass-bottom", "danger", gettext_lazy("Not accepted in time by %(dealer)s: recalled")),
    A.WITHDRAWN: ("bi-arrow-return-left", "secondary", gettext_lazy("Taken back from %(dealer)s")),
}


def lead_timeline(lead: Lead, assignments: list[Assignment]) -> list[dict]:
    """What happened to the lead, newest first: intake, repeat enquiries, offers and answers, reminders,
    escalations, follow-ups and the outcome."""

    def entry(at, icon, tone, title, detail="", by=None):
        return {"at": at, "icon": icon, "tone": tone, "title": title, "detail": detail, "by": by}

    entries = [
        entry(
            lead.created_at,
            "bi-inbox",
            "primary",
            _("Received (%(source)s)") % {"source": lead.get_source_display()},
            lead.message,
            lead.created_by,
        )
    ]
    for touch in lead.touch_log.all():
        entries.append(
            entry(
                touch.created_at,
                "bi-arrow-repeat",
                "info",
                _("The customer asked again (%(source)s)") % {"source": touch.get_source_display()},
                touch.message,
            )
        )
    for assignment in assignments:
        dealer = {"dealer": f"{assignment.dealer.code} {assignment.dealer.name}"}
        if assignment.assigned_by_id:
            title = _("Assigned by hand to %(dealer)s") % dealer
        else:
            title = _("Offered to %(dealer)s") % dealer
        detail = _("Accept by %(deadline)s") % {"deadline": local_minute(assignment.deadline)}
        if assignment.override_reason:
            detail += " · " + _("Over capacity: %(reason)s") % {"reason": assignment.override_reason}
        entries.append(entry(assignment.assigned_at, "bi-send", "secondary", title, detail, assignment.assigned_by))
        if assignment.responded_at and assignment.status in RESPONSES:
            icon, tone, text = RESPONSES[assignment.status]
            entries.append(entry(assignment.responded_at, icon, tone, text % dealer, assignment.response_reason))
        if assignment.reminded_at:
            entries.append(
                entry(
                    assignment.reminded_at,
                    "bi-bell",
                    "warning",
                    _("%(dealer)s was reminded to follow up") % dealer,
                )
            )
        if assignment.escalated_at:
            entries.append(
                entry(
                    assignment.escalated_at,
                    "bi-exclamation-triangle",
                    "danger",
                    _("Escalated to the owner of %(dealer)s: no follow-up") % dealer,
                )
            )
    for follow_up in lead.follow_ups.all():
        detail = follow_up.note
        if follow_up.next_action_on:
            detail = " · ".join(
                filter(None, [detail, _("Next action on %(day)s") % {"day": follow_up.next_action_on.isoformat()}])
            )
        entries.append(
            entry(
                follow_up.created_at,
                "bi-telephone",
                "info",
                _("%(kind)s by %(dealer)s")
                % {"kind": follow_up.get_kind_display().capitalize(), "dealer": follow_up.dealer.name},
                detail,
                follow_up.author,
            )
        )
    if lead.closed_at and lead.status == L.WON:
        detail = lead.won_order.number if lead.won_order_id else ""
        entries.append(
            entry(
                lead.closed_at, "bi-trophy", "success", _("Won: %(amount)s") % {"amount": cny(lead.won_amount)}, detail
            )
        )
    elif lead.closed_at and lead.status == L.LOST:
        entries.append(entry(lead.closed_at, "bi-slash-circle", "danger", _("Lost"), lead.lost_reason))
    return sorted(entries, key=lambda item: item["at"], reverse=True)
