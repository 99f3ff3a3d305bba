"""The orders app's cards on the HQ dashboard and the portal home (see ``dms.shell``)."""

from datetime import timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dms.caching import scoped_aggregate
from dms.money import ZERO
from orders import selectors
from orders.models import Invoice, Order

S = Order.Status
SOLD = ~Q(status__in=[S.DRAFT, S.CANCELLED, S.REJECTED])
MONTHS = 12


def monthly_sales(orders, *, months: int = MONTHS) -> dict:
    """Ordered amount per month (Asia/Shanghai months), the last ``months`` including this one."""
    first = timezone.localdate().replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = (
        orders.filter(SOLD, submitted_at__date__gte=first)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(amount=Sum("gross_amount"))
        .order_by()
    )
    amounts = {row["month"].strftime("%Y-%m"): row["amount"] for row in rows}
    labels, day = [], first
    for _ in range(months):
        labels.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return {"labels": labels, "values": [float(amounts.get(label, ZERO)) for label in labels]}


def hq_figures(user) -> dict:
    """What the HQ card shows: orders waiting for approval and for shipment, this month's sales, overdue
    money and the monthly sales chart."""
    orders = selectors.orders_in_scope(user=user)
    month_start = timezone.localdate().replace(day=1)
    this_month = SOLD & Q(submitted_at__date__gte=month_start)
    stats = orders.aggregate(
        pending=Count("pk", filter=Q(status=S.PENDING_APPROVAL)),
        to_ship=Count("pk", filter=Q(status=S.APPROVED)),
        month_orders=Count("pk", filter=this_month),
        month_amount=Sum("gross_amount", filter=this_month),
    )
    overdue = (
        selectors.invoice_list(user=user)
        .filter(due_on__lt=timezone.localdate())
        .exclude(status=Invoice.Status.PAID)
        .aggregate(amount=Sum(F("gross_amount") - F("paid_amount")), dealers=Count("dealer", distinct=True))
    )
    return {
        "stats": stats,
        "month_amount": stats["month_amount"] or ZERO,
        "overdue_amount": overdue["amount"] or ZERO,
        "overdue_dealers": overdue["dealers"],
        "sales": monthly_sales(orders),
    }


def hq_cards(user) -> list[dict]:
    return [{"template": "orders/_hq_home.html", **scoped_aggregate("orders", user, lambda: hq_figures(user))}]


def portal_cards(user) -> list[dict]:
    dealer = user.dealer
    cart = selectors.current_draft(user=user)
    return [
        {
            "template": "orders/_portal_home.html",
            "credit": selectors.credit_position(dealer=dealer),
            "cart_lines": cart.lines.count() if cart else 0,
            "recent_orders": list(selectors.order_list(user=user).exclude(status=S.DRAFT)[:5]),
        }
    ]
