"""What the demo's year of history is made from: each dealer's profile and planned orders, the people,
products and warehouses, and one seeded random source so every machine gets the same demo."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dealers.models import Dealer
from orders import services
from orders.demo.catalogue import LINES
from orders.models import Invoice, Order, Payment, Product, ProductLine, Warehouse

SEED = 20261127
S = Order.Status
# How many days overdue the oldest unpaid invoice of three demo dealers is: one per aging bucket past 30.
OVERDUE_DAYS = [45, 75, 120]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class Plan:
    """One historical order before it is made: when, what, and how it ends."""

    day: date
    lines: list[tuple[Product, int]]
    note: str = ""
    outcome: str = "delivered"  # delivered, cancelled, rejected
    order: Order | None = None
    times: dict = field(default_factory=dict)


@dataclass
class Profile:
    """How a demo dealer buys and pays."""

    dealer: Dealer
    lines: list[ProductLine]
    delay: tuple[int, int]  # days paid after the due date
    overdue_days: int | None = None  # oldest unpaid invoice this many days overdue
    round_payer: bool = False
    project: str = ""  # a project order of the year: "approved" or "rejected"
    plans: list[Plan] = field(default_factory=list)


class HistoryBase:
    """What every part of the history shares: one random source, the people, products, warehouses and dealers."""

    def __init__(self, *, people: dict, products: dict[str, Product], warehouses: dict[str, Warehouse]):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        # Twelve calendar months, this one included: the first day of the month eleven months back.
        year, month = divmod(self.today.year * 12 + self.today.month - 12, 12)
        self.start = date(year, month + 1, 1)
        self.people = people
        self.admin, self.finance, self.desk = people["admin"], people["finance"], people["orderdesk"]
        self.products = products
        self.warehouses = warehouses
        self.lines = ProductLine.objects.in_bulk([code for code, *_rest in LINES], field_name="code")
        self.types = {model: ContentType.objects.get_for_model(model) for model in (Order, Invoice, Payment)}
        self.dealers = list(
            Dealer.objects.filter(status__in=services.TRADING).select_related("region").order_by("code")
        )
        self.references = 0
