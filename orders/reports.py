"""Finance reports: the aging of receivables (账龄) by dealer and region, and days sales outstanding (DSO).

Computed in the database, scoped to the user first: a fixed number of queries however many dealers.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer, Region
from dealers.regions import province_code
from dms.caching import scoped_aggregate
from dms.money import ZERO
from dms.scoping import dealer_q
from orders.models import Invoice, PaymentAllocation

DSO_DAYS = 90
BUCKETS = (
    ("current", _("Not yet due")),
    ("days_1_30", _("1–30 days")),
    ("days_31_60", _("31–60 days")),
    ("days_61_90", _("61–90 days")),
    ("days_over_90", _("Over 90 days")),
)


def bucket_conditions(as_of: date, *, prefix: str = "") -> dict[str, Q]:
    """Which due dates fall in each bucket on ``as_of``. Days overdue are ``as_of - due_on``: an invoice due
    today or later is current; one due yesterday is 1 day overdue. ``prefix`` reaches the invoice from
    another model (``"invoice__"``)."""

    def days_ago(days: int) -> date:
        return as_of - timedelta(days=days)

    due_on = f"{prefix}due_on"
    return {
        "current": Q(**{f"{due_on}__gte": as_of}),
        "days_1_30": Q(**{f"{due_on}__lte": days_ago(1), f"{due_on}__gte": days_ago(30)}),
        "days_31_60": Q(**{f"{due_on}__lte": days_ago(31), f"{due_on}__gte": days_ago(60)}),
        "days_61_90": Q(**{f"{due_on}__lte": days_ago(61), f"{due_on}__gte": days_ago(90)}),
        "days_over_90": Q(**{f"{due_on}__lte": days_ago(91)}),
    }


def dso(receivables: Decimal, credit_sales: Decimal, days: int = DSO_DAYS) -> Decimal | None:
    """Days sales outstanding = receivables ÷ credit sales of the last ``days`` days × ``days``, in days to one
    decimal; None when nothing was sold on credit in the period."""
    if credit_sales <= 0:
        return None
    return (receivables / credit_sales * days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class AgingLine:
    """What one dealer, one region, or everyone owes, by bucket, and what they bought on credit lately."""

    label: str
    buckets: dict[str, Decimal]
    credit_sales: Decimal = ZERO
    dealer_id: int | None = None
    code: str = ""
    region_code: str = ""
    region_label: str = ""
    dealer_count: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.total - self.buckets["current"]

    @property
    def dso(self) -> Decimal | None:
        return dso(self.total, self.credit_sales)

    @property
    def amounts(self) -> list[Decimal]:
        """The buckets in report order, for templates and exports."""
        return [self.buckets[key] for key, _label in BUCKETS]

    def add(self, other: "AgingLine") -> None:
        for key in self.buckets:
            self.buckets[key] += other.buckets[key]
        self.credit_sales += other.credit_sales
        self.dealer_count += 1


def _empty_buckets() -> dict[str, Decimal]:
    return {key: ZERO for key, _label in BUCKETS}


class CompactLines(Sequence):
    """Dealers' lines kept as rows of text, made into ``AgingLine`` only when read: a cached report holds
    thousands of dealers and a page shows a few, and rows of text are several times cheaper to cache and read
    back than the lines themselves."""

    def __init__(self, lines: list[AgingLine]):
        self.rows = [
            (
                line.label,
                tuple(str(amount) for amount in line.amounts),
                str(line.credit_sales),
                line.dealer_id,
                line.code,
                line.region_code,
                line.region_label,
            )
            for line in lines
        ]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._line(row) for row in self.rows[index]]
        return self._line(self.rows[index])

    @staticmethod
    def _line(row) -> AgingLine:
        label, amounts, credit_sales, dealer_id, code, region_code, region_label = row
        return AgingLine(
            label=label,
            buckets={key: Decimal(amount) for (key, _label), amount in zip(BUCKETS, amounts, strict=True)},
            credit_sales=Decimal(credit_sales),
            dealer_id=dealer_id,
            code=code,
            region_code=region_code,
            region_label=region_label,
        )


@dataclass
class AgingReport:
    as_of: date
    dealers: Sequence[AgingLine] = field(default_factory=list)
    regions: list[AgingLine] = field(default_factory=list)
    total: AgingLine = field(default_factory=lambda: AgingLine(label=str(_("Total")), buckets=_empty_buckets()))

    def chart(self) -> dict:
        """A stacked bar per region: one series per bucket. Amounts as text, so no float rounds them here."""
        return {
            "labels": [line.label for line in self.regions],
            "series": [
                {"name": str(label), "data": [str(line.buckets[key]) for line in self.regions]}
                for key, label in BUCKETS
            ],
        }


def _invoiced(*, user, as_of: date, region: Region | None):
    """Per dealer: the gross amount of its invoices issued by ``as_of`` in each bucket, and the credit sales of
    the DSO period."""
    invoices = Invoice.objects.filter(dealer_q(user, field="dealer"), issued_on__lte=as_of)
    if region is not None:
        invoices = invoices.filter(dealer__region__path__startswith=region.path)
    sums = {
        key: Sum("gross_amount", filter=condition, default=ZERO) for key, condition in bucket_conditions(as_of).items()
    }
    period_start = as_of - timedelta(days=DSO_DAYS - 1)
    return (
        invoices.order_by()
        .values("dealer_id")
        .annotate(**sums, credit_sales=Sum("gross_amount", filter=Q(issued_on__gte=period_start), default=ZERO))
    )


def _paid(*, user, as_of: date, region: Region | None) -> dict[int, dict]:
    """Per dealer id: what payments received by ``as_of`` paid of those invoices, in each invoice's bucket."""
    allocations = PaymentAllocation.objects.filter(
        dealer_q(user, field="invoice__dealer"), invoice__issued_on__lte=as_of, payment__received_on__lte=as_of
    )
    if region is not None:
        allocations = allocations.filter(invoice__dealer__region__path__startswith=region.path)
    sums = {
        key: Sum("amount", filter=condition, default=ZERO)
        for key, condition in bucket_conditions(as_of, prefix="invoice__").items()
    }
    rows = allocations.order_by().values(dealer=F("invoice__dealer_id")).annotate(**sums)
    return {row["dealer"]: row for row in rows}


def _receivables(*, user, as_of: date, region: Region | None) -> list[dict]:
    """Per dealer: the amount outstanding on ``as_of`` in each bucket, and the credit sales of the DSO period.

    Outstanding on a date is the gross amount less what payments received by that date paid of it, so a past
    date shows the aging as it was then. Invoices and payments are each summed per dealer in one pass over
    the scope, then the payments taken off; the dealers' codes, names and regions are read for the dealers
    found (three queries, whatever the number of invoices). By dealer code."""
    paid = _paid(user=user, as_of=as_of, region=region)
    rows = list(_invoiced(user=user, as_of=as_of, region=region))
    dealers = {
        pk: (code, name, path)
        for pk, code, name, path in Dealer.objects.filter(pk__in=[row["dealer_id"] for row in rows]).values_list(
            "pk", "code", "name", "region__path"
        )
    }
    for row in rows:
        row["dealer__code"], row["dealer__name"], row["dealer__region__path"] = dealers[row["dealer_id"]]
        payments = paid.get(row["dealer_id"])
        if payments is not None:
            for key, _label in BUCKETS:
                row[key] -= payments[key]
    rows.sort(key=lambda row: row["dealer__code"])
    return rows


def aging_report(*, user, as_of: date | None = None, region: Region | None = None) -> AgingReport:
    """Receivables of the dealers the user may see, aged on ``as_of`` (today), by dealer and by province,
    with DSO for each and overall (four queries)."""
    as_of = as_of or timezone.localdate()
    report = AgingReport(as_of=as_of)
    rows = _receivables(user=user, as_of=as_of, region=region)
    provinces = {province_code(row["dealer__region__path"]) for row in rows}
    names = {r.code: r.local_name for r in Region.objects.filter(code__in=provinces)}
    regions: dict[str, AgingLine] = {}
    for row in rows:
        code = province_code(row["dealer__region__path"])
        line = AgingLine(
            label=row["dealer__name"],
            buckets={key: row[key] for key, _label in BUCKETS},
            credit_sales=row["credit_sales"],
            dealer_id=row["dealer_id"],
            code=row["dealer__code"],
            region_code=code,
            region_label=names.get(code, code),
        )
        region_line = regions.setdefault(
            code, AgingLine(label=names.get(code, code), buckets=_empty_buckets(), region_code=code)
        )
        region_line.add(line)
        report.total.add(line)
        # Dealers who owe nothing still count in the DSO of their region and overall, but are not listed.
        if line.total > 0:
            report.dealers.append(line)
    report.dealers.sort(key=lambda line: (-line.overdue, -line.total, line.code))
    report.regions = sorted(
        (line for line in regions.values() if line.total > 0), key=lambda line: (-line.total, line.region_code)
    )
    return report


def aging_report_cached(*, user, as_of: date | None = None, region: Region | None = None) -> AgingReport:
    """``aging_report`` as the page shows it: it sums every invoice and payment of the user's scope, so it is
    computed at most once a minute per scope, date, region and language (the labels are translated)."""
    as_of = as_of or timezone.localdate()

    def compute() -> AgingReport:
        report = aging_report(user=user, as_of=as_of, region=region)
        report.dealers = CompactLines(report.dealers)
        return report

    return scoped_aggregate(f"aging:{as_of.isoformat()}:{region.pk if region else ''}", user, compute)
