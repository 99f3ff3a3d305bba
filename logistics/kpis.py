"""Delivery KPIs of the shipments delivered in a period of months: on time, in full, on time in full (OTIF), the
lead time from the order's approval to delivery and the freight cost ratio, by month, warehouse, carrier or
province.

Computed in the database over the shipments in the reader's scope: one GROUP BY query, plus one for the names of
the warehouses, carriers or provinces, however many shipments there are. Each group's sums are read rather than
its rates, so that regions fold into provinces and groups into the total exactly.

- **Delivered**: the shipment's status is delivered and it arrived in the period (Asia/Shanghai months).
- **On time**: delivered on a day before the requested date, or on the requested date no later than the
  receiving window closes.
- **In full**: no line arrived with less than was shipped.
- **Lead time**: from the order's approval (``decided_at``) to the delivery, in days (hours / 24).
- **Freight cost**: what the carrier charged when that is recorded, else its quote. The **freight cost ratio**
  is the freight cost over the net amount of the shipments' invoices, summed over the shipments that have both:
  own-fleet and pickup shipments have no freight cost and are left out of it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncTime
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Region
from dealers.regions import province_code
from dms.caching import scoped_aggregate
from dms.money import ZERO
from logistics import selectors
from logistics.models import Carrier, Shipment, ShipmentLine
from orders.models import Warehouse

GROUPS = (
    ("month", _("Month")),
    ("warehouse", _("Warehouse")),
    ("carrier", _("Carrier")),
    ("region", _("Province")),
)
MONTHS_SHOWN = 12
MAX_MONTHS = 60
SUMS = (
    "delivered",
    "on_time",
    "in_full",
    "otif",
    "lead_count",
    "lead_time",
    "freight_count",
    "freight_cost",
    "invoiced",
)
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")
# Modes without a carrier, in the order the carrier grouping lists them after the carriers.
CARRIERLESS = (Shipment.Mode.OWN_FLEET, Shipment.Mode.PICKUP)
# What each figure means, as the pages and the exports say it.
DEFINITIONS = (
    _("Delivered: shipments delivered in the period, by the day they arrived (China time)."),
    _(
        "On time: delivered before the requested date, or on the requested date no later than the dealer's "
        "receiving window closes."
    ),
    _("In full: every line arrived with all that was shipped."),
    _("OTIF: on time and in full."),
    _("Lead time: from the order's approval to the delivery, in days."),
    _(
        "Freight cost ratio: the freight cost (the carrier's charge, or its quote until the charge is recorded) "
        "over the net amount invoiced for the same shipments. Own-fleet and pickup shipments have no freight cost "
        "and are left out of it."
    ),
)


def percent(part, whole, places: Decimal = ONE_DECIMAL) -> Decimal | None:
    """``part`` out of ``whole`` in per cent; None when ``whole`` is nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (or before) ``month``'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months from ``first``'s to ``last``'s, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def default_months() -> tuple[date, date]:
    """The last twelve months: the first days of the month eleven months ago and of this month."""
    this_month = timezone.localdate().replace(day=1)
    return add_months(this_month, 1 - MONTHS_SHOWN), this_month


@dataclass
class KpiLine:
    """The sums of one group of delivered shipments (a month, a warehouse, a carrier, a province, or all of them)
    and the rates made of them."""

    key: str
    label: str
    delivered: int = 0
    on_time: int = 0
    in_full: int = 0
    otif: int = 0
    lead_count: int = 0
    lead_time: timedelta = timedelta(0)
    freight_count: int = 0
    freight_cost: Decimal = ZERO
    invoiced: Decimal = ZERO

    @classmethod
    def of(cls, row: dict | None, *, key: str, label: str) -> "KpiLine":
        """A group's line from its row of sums; a group without deliveries (a quiet month) from None."""
        return cls(key=key, label=label, **({name: row[name] for name in SUMS} if row else {}))

    def add(self, other: "KpiLine") -> None:
        for name in SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time_percent(self) -> Decimal | None:
        return percent(self.on_time, self.delivered)

    @property
    def in_full_percent(self) -> Decimal | None:
        return percent(self.in_full, self.delivered)

    @property
    def otif_percent(self) -> Decimal | None:
        return percent(self.otif, self.delivered)

    @property
    def lead_days(self) -> Decimal | None:
        """The average lead time in days, to one decimal."""
        if not self.lead_count:
            return None
        days = Decimal(self.lead_time.total_seconds()) / 86400 / self.lead_count
        return days.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)

    @property
    def freight_percent(self) -> Decimal | None:
        """Freight cost over the invoiced net amount, in per cent to two decimals: freight runs at a few per cent."""
        return percent(self.freight_cost, self.invoiced, TWO_DECIMALS)


@dataclass
class KpiReport:
    group: str
    first_month: date
    last_month: date
    lines: list[KpiLine]
    total: KpiLine
    # Freight is what the brand pays its carriers: a dealer's report has none.
    with_freight: bool = True

    @property
    def end(self) -> date:
        """The last day of the period."""
        return add_months(self.last_month, 1) - timedelta(days=1)

    def chart(self) -> dict:
        """The bars of on time and OTIF and the line of the freight ratio per group, as text so that no float
        rounds them here."""

        def series(name: str) -> list[str | None]:
            return [None if (value := getattr(line, name)) is None else str(value) for line in self.lines]

        return {
            "names": {
                "on_time": str(_("On time (%)")),
                "otif": str(_("OTIF (%)")),
                "freight": str(_("Freight cost ratio (%)")),
            },
            "labels": [line.label for line in self.lines],
            "on_time": series("on_time_percent"),
            "otif": series("otif_percent"),
            "freight": series("freight_percent"),
        }


def delivered_shipments(
    *, user, first_month: date, last_month: date, warehouse: Warehouse | None = None, mode: str = ""
) -> QuerySet[Shipment]:
    """The shipments in the user's scope delivered from the first day of ``first_month`` to the last of
    ``last_month`` (local time), from ``warehouse`` and by ``mode`` when given."""
    start = timezone.make_aware(datetime.combine(first_month, time.min))
    end = timezone.make_aware(datetime.combine(add_months(last_month, 1), time.min))
    # A replacement for a claim is not an order's delivery: its date is the claim's, its goods free of charge.
    shipments = selectors.shipments_in_scope(user=user).filter(
        status=Shipment.Status.DELIVERED, delivered_at__gte=start, delivered_at__lt=end, replaces__isnull=True
    )
    if warehouse is not None:
        shipments = shipments.filter(warehouse=warehouse)
    if mode:
        shipments = shipments.filter(mode=mode)
    return shipments.order_by()


def _with_sums(shipments: QuerySet[Shipment], *group_by: str) -> QuerySet:
    """One row of sums per group. A shipment is short when the set of short shipments holds it: that set is read
    once per query (a hashed subplan), not looked up for every shipment."""
    short = ShipmentLine.objects.filter(quantity_received__lt=F("quantity")).values("shipment_id")
    shipments = shipments.alias(
        delivered_day=TruncDate("delivered_at"),
        delivered_time=TruncTime("delivered_at"),
        lead=ExpressionWrapper(F("delivered_at") - F("order__decided_at"), output_field=DurationField()),
        freight=Coalesce("freight_charge", "freight_quote"),
    )
    on_time = Q(delivered_day__lt=F("requested_date")) | Q(
        delivered_day=F("requested_date"), delivered_time__lte=F("window_closes")
    )
    in_full = ~Q(pk__in=short)
    costed = Q(freight__isnull=False, invoice__isnull=False)
    return shipments.values(*group_by).annotate(
        delivered=Count("pk"),
        on_time=Count("pk", filter=on_time),
        in_full=Count("pk", filter=in_full),
        otif=Count("pk", filter=on_time & in_full),
        lead_count=Count("pk", filter=Q(order__decided_at__isnull=False)),
        lead_time=Sum("lead", default=timedelta(0)),
        freight_count=Count("pk", filter=costed),
        freight_cost=Sum("freight", filter=costed, default=ZERO),
        invoiced=Sum("invoice__net_amount", filter=costed, default=ZERO),
    )


def _by_month(shipments, first_month: date, last_month: date) -> list[KpiLine]:
    """Every month of the period in order, quiet months included."""
    rows = _with_sums(shipments.annotate(month=TruncMonth("delivered_at")), "month")
    found = {timezone.localtime(row["month"]).date(): row for row in rows}
    months = [add_months(first_month, n) for n in range(months_between(first_month, last_month))]
    return [KpiLine.of(found.get(month), key=f"{month:%Y-%m}", label=f"{month:%Y-%m}") for month in months]


def _by_warehouse(shipments) -> list[KpiLine]:
    rows = list(_with_sums(shipments, "warehouse_id"))
    warehouses = Warehouse.objects.in_bulk([row["warehouse_id"] for row in rows])
    lines = [
        KpiLine.of(row, key=warehouses[row["warehouse_id"]].code, label=warehouses[row["warehouse_id"]].local_name)
        for row in rows
    ]
    return sorted(lines, key=lambda line: line.key)


def _by_carrier(shipments) -> list[KpiLine]:
    """The carriers by code, then the shipments that went without one, by mode."""
    rows = list(_with_sums(shipments, "mode", "carrier_id"))
    carriers = Carrier.objects.in_bulk([row["carrier_id"] for row in rows if row["carrier_id"]])
    modes = dict(Shipment.Mode.choices)
    lines = []
    for row in rows:
        carrier = carriers.get(row["carrier_id"])
        if carrier is not None:
            lines.append(((0, carrier.code), KpiLine.of(row, key=carrier.code, label=carrier.name)))
        else:
            rank = CARRIERLESS.index(row["mode"]) + 1 if row["mode"] in CARRIERLESS else 0
            lines.append(((rank, row["mode"]), KpiLine.of(row, key=row["mode"], label=str(modes[row["mode"]]))))
    return [line for _rank, line in sorted(lines, key=lambda pair: pair[0])]


def _by_province(shipments) -> list[KpiLine]:
    """The provinces of the ship-to regions, the most deliveries first; shipments without a region together."""
    provinces: dict[str, KpiLine] = {}
    for row in _with_sums(shipments, "ship_to_region__path"):
        code = province_code(row["ship_to_region__path"] or "")
        provinces.setdefault(code, KpiLine(key=code, label="")).add(KpiLine.of(row, key=code, label=""))
    names = {region.code: region.local_name for region in Region.objects.filter(code__in=provinces)}
    for code, line in provinces.items():
        line.label = names.get(code, code) if code else str(_("No region"))
    return sorted(provinces.values(), key=lambda line: (-line.delivered, line.key))


def shipment_kpis(
    *,
    user,
    group: str = "month",
    first_month: date,
    last_month: date,
    warehouse: Warehouse | None = None,
    mode: str = "",
) -> KpiReport:
    """The KPIs of the shipments in the user's scope delivered in the months from ``first_month`` to
    ``last_month``, by ``group`` (one of ``GROUPS``) and in total."""
    shipments = delivered_shipments(
        user=user, first_month=first_month, last_month=last_month, warehouse=warehouse, mode=mode
    )
    if group == "month":
        lines = _by_month(shipments, first_month, last_month)
    elif group == "warehouse":
        lines = _by_warehouse(shipments)
    elif group == "carrier":
        lines = _by_carrier(shipments)
    elif group == "region":
        lines = _by_province(shipments)
    else:
        raise ValueError(f"Unknown KPI group {group!r}")
    with_freight = not user.is_dealer_user
    if not with_freight:
        for line in lines:
            line.freight_count, line.freight_cost, line.invoiced = 0, ZERO, ZERO
    total = KpiLine(key="", label=str(_("Total")))
    for line in lines:
        total.add(line)
    return KpiReport(
        group=group,
        first_month=first_month,
        last_month=last_month,
        lines=lines,
        total=total,
        with_freight=with_freight,
    )


def shipment_kpis_cached(
    *,
    user,
    group: str = "month",
    first_month: date,
    last_month: date,
    warehouse: Warehouse | None = None,
    mode: str = "",
) -> KpiReport:
    """``shipment_kpis`` as the pages and the API answer it: it reads every delivery of the period in the user's
    scope, so it is computed at most once a minute per scope, parameters and language (the labels are
    translated)."""
    key = ":".join((group, f"{first_month:%Y-%m}", f"{last_month:%Y-%m}", warehouse.code if warehouse else "", mode))
    return scoped_aggregate(
        f"shipment-kpis:{key}",
        user,
        lambda: shipment_kpis(
            user=user, group=group, first_month=first_month, last_month=last_month, warehouse=warehouse, mode=mode
        ),
    )
