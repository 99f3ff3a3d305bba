"""The leads app's cards on the HQ dashboard and the portal home (see ``dms.shell``)."""

from datetime import timedelta

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from dms.caching import scoped_aggregate
from dms.money import ZERO
from leads import selectors
from leads.models import Assignment, DealRegistration, Lead

# Offers whose deadline falls within this time are shown as about to expire.
EXPIRING_SOON = timedelta(hours=2)


def hq_figures(user) -> dict:
    """Unassigned leads, offers about to expire, registrations waiting for a decision and this month's wins:
    three queries."""
    now = timezone.now()
    month_start = timezone.localdate().replace(day=1)
    leads = selectors.lead_list(user=user)
    won_this_month = Q(status=Lead.Status.WON, closed_at__date__gte=month_start)
    stats = leads.order_by().aggregate(
        unassigned=Count("pk", filter=Q(status=Lead.Status.UNASSIGNED)),
        won=Count("pk", filter=won_this_month),
        won_amount=Sum("won_amount", filter=won_this_month, default=ZERO),
    )
    expiring = Assignment.objects.filter(
        lead__in=leads.values("pk"),
        status=Assignment.Status.OFFERED,
        deadline__gt=now,
        deadline__lte=now + EXPIRING_SOON,
    ).count()
    waiting = selectors.registration_list(user=user).filter(status=DealRegistration.Status.SUBMITTED).count()
    return {
        "unassigned": stats["unassigned"],
        "expiring": expiring,
        "waiting": waiting,
        "won": stats["won"],
        "won_amount": stats["won_amount"],
    }


def hq_cards(user) -> list[dict]:
    return [{"template": "leads/_hq_home.html", **scoped_aggregate("leads", user, lambda: hq_figures(user))}]


def portal_cards(user) -> list[dict]:
    """The leads offered to the user's dealer and waiting for its answer, with the nearest deadline: one query."""
    now = timezone.now()
    waiting = Assignment.objects.filter(
        dealer_id=user.dealer_id, status=Assignment.Status.OFFERED, deadline__gt=now
    ).aggregate(count=Count("pk"), first_deadline=Min("deadline"))
    first = waiting["first_deadline"]
    return [
        {"template": "leads/_portal_home.html", **waiting, "urgent": first is not None and first <= now + EXPIRING_SOON}
    ]
