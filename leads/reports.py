"""Head office's lead reports: the funnel from received to won, conversion rates, time to accept, SLA
breaches, and the same figures by province, dealer, source and month.

Functions over a queryset of leads already scoped to the user (``selectors.lead_list``) and filtered:
set-based aggregates, five queries however many leads.

A lead counts from the stage "accepted" on while a dealer's acceptance of it stands (an accepted
assignment); "contacted" once that dealer logged a follow-up or moved it on; the later stages by its
status. Offers (assignments) answer the questions about dealers: declined, expired, time to accept,
reminders and escalations.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer, Region
from dealers.regions import province_code
from dms.money import ZERO
from leads.models import Assignment, FollowUp, Lead
from leads.selectors import Median

A, L = Assignment.Status, Lead.Status
TOP_DEALERS = 20
STAGES = (
    ("received", _("Received")),
    ("assigned", _("Assigned")),
    ("accepted", _("Accepted")),
    ("contacted", _("Contacted")),
    ("qualified", _("Qualified")),
    ("won", _("Won")),
)
COUNTS = ("received", "assigned", "accepted", "contacted", "qualified", "won", "lost", "unassigned", "won_amount")


def rate(part: int, whole: int) -> Decimal | None:
    """``part`` out of ``whole`` in per cent, to one decimal; None when ``whole`` is nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hours(duration: timedelta | None) -> Decimal | None:
    """A duration in hours, to one decimal."""
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    """How far the leads of one slice (all of them, a province, a source, a month) got."""

    label: str = ""
    key: str = ""
    received: int = 0
    assigned: int = 0
    accepted: int = 0
    contacted: int = 0
    qualified: int = 0
    won: int = 0
    lost: int = 0
    unassigned: int = 0
    won_amount: Decimal = ZERO

    @classmethod
    def of(cls, row: dict, **names) -> "Counts":
        return cls(**names, **{name: row[name] for name in COUNTS})

    def add(self, other: "Counts") -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def accept_rate(self) -> Decimal | None:
        """Accepted out of assigned."""
        return rate(self.accepted, self.assigned)

    @property
    def win_rate(self) -> Decimal | None:
        """Won out of accepted."""
        return rate(self.won, self.accepted)

    @property
    def conversion(self) -> Decimal | None:
        """Won out of received."""
        return rate(self.won, self.received)

    @property
    def stages(self) -> list[tuple[str, str, int]]:
        return [(key, str(label), getattr(self, key)) for key, label in STAGES]


@dataclass
class DealerLine:
    """What became of the leads offered to one dealer."""

    dealer_id: int
    code: str
    name: str
    received: int
    accepted: int
    won: int
    declined: int
    expired: int

    @property
    def accept_rate(self) -> Decimal | None:
        return rate(self.accepted, self.received)

    @property
    def win_rate(self) -> Decimal | None:
        return rate(self.won, self.accepted)

    @property
    def conversion(self) -> Decimal | None:
        return rate(self.won, self.received)


@dataclass
class Offers:
    """The offers made for the leads, their answers, the time dealers took to accept, and the SLA breaches."""

    made: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    withdrawn: int = 0
    reminded: int = 0
    escalated: int = 0
    breached_leads: int = 0
    accept_median: timedelta | None = None
    accept_avg: timedelta | None = None

    @property
    def accept_median_hours(self) -> Decimal | None:
        return hours(self.accept_median)

    @property
    def accept_avg_hours(self) -> Decimal | None:
        return hours(self.accept_avg)


@dataclass
class LeadReport:
    start: date
    end: date
    totals: Counts
    offers: Offers
    provinces: list[Counts] = field(default_factory=list)
    dealers: list[DealerLine] = field(default_factory=list)
    sources: list[Counts] = field(default_factory=list)
    months: list[Counts] = field(default_factory=list)

    def chart(self) -> dict:
        """The data of the funnel chart and of the monthly chart."""
        return {
            "funnel": [{"name": label, "value": n} for _key, label, n in self.totals.stages],
            "months": {
                "labels": [month.label for month in self.months],
                "series": {
                    "received": [month.received for month in self.months],
                    "accepted": [month.accepted for month in self.months],
                    "won": [month.won for month in self.months],
                    "conversion": [
                        None if month.conversion is None else float(month.conversion) for month in self.months
                    ],
                },
            },
        }


def _stage_sums(dealer: Dealer | None) -> dict:
    """The aggregates of ``Counts`` over leads; with ``dealer``, only that dealer's offers and follow-ups
    move a lead past "assigned". Whether a lead was offered, accepted or followed up is a lookup in the set
    of leads with such rows, read once per query (a hashed subplan), not a subquery run for every lead."""
    offers = Assignment.objects.all()
    follow_ups = FollowUp.objects.all()
    if dealer is not None:
        offers, follow_ups = offers.filter(dealer=dealer), follow_ups.filter(dealer=dealer)
    offered = Q(pk__in=offers.values("lead_id"))
    taken = Q(pk__in=offers.filter(status=A.ACCEPTED).values("lead_id"))
    followed = Q(pk__in=follow_ups.values("lead_id"))
    return {
        "received": Count("pk"),
        "assigned": Count("pk", filter=offered),
        "accepted": Count("pk", filter=taken),
        "contacted": Count("pk", filter=taken & (Q(status__in=[L.CONTACTED, L.QUALIFIED, L.WON]) | followed)),
        "qualified": Count("pk", filter=taken & Q(status__in=[L.QUALIFIED, L.WON])),
        "won": Count("pk", filter=taken & Q(status=L.WON)),
        "lost": Count("pk", filter=taken & Q(status=L.LOST)),
        "unassigned": Count("pk", filter=Q(status=L.UNASSIGNED)),
        "won_amount": Sum("won_amount", filter=taken & Q(status=L.WON), default=ZERO),
    }


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def in_period(leads: QuerySet[Lead], start: date, end: date) -> QuerySet[Lead]:
    """The leads received from ``start`` to ``end``, both included (local dates)."""
    return leads.filter(created_at__gte=_moment(start), created_at__lt=_moment(end + timedelta(days=1)))


def offers(assignments: QuerySet[Assignment]) -> Offers:
    waited = ExpressionWrapper(F("responded_at") - F("assigned_at"), output_field=DurationField())
    accepted = Q(status=A.ACCEPTED, responded_at__isnull=False)
    row = assignments.order_by().aggregate(
        made=Count("pk"),
        accepted=Count("pk", filter=Q(status=A.ACCEPTED)),
        declined=Count("pk", filter=Q(status=A.DECLINED)),
        expired=Count("pk", filter=Q(status=A.EXPIRED)),
        withdrawn=Count("pk", filter=Q(status=A.WITHDRAWN)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        breached_leads=Count("lead", filter=Q(status=A.EXPIRED) | Q(escalated_at__isnull=False), distinct=True),
        accept_median=Median(waited, filter=accepted, output_field=DurationField()),
        accept_avg=Avg(waited, filter=accepted),
    )
    return Offers(**row)


@dataclass
class Slices:
    """The leads' counts in total, by province and by source."""

    totals: Counts
    provinces: list[Counts]
    sources: list[Counts]


def slices(leads: QuerySet[Lead], *, dealer: Dealer | None = None) -> Slices:
    """The totals, the provinces (the most leads first) and the sources (likewise) from one reading of the
    leads, grouped by region and source (two queries: the counts, then the provinces' names)."""
    totals = Counts(label=str(_("Total")))
    provinces: dict[str, Counts] = {}
    sources: dict[str, Counts] = {}
    for row in leads.order_by().values("region__path", "source").annotate(**_stage_sums(dealer)):
        line = Counts.of(row)
        totals.add(line)
        code = province_code(row["region__path"])
        provinces.setdefault(code, Counts(key=code)).add(line)
        sources.setdefault(row["source"], Counts(key=row["source"])).add(line)
    names = {region.code: region.local_name for region in Region.objects.filter(code__in=provinces)}
    for code, line in provinces.items():
        line.label = names.get(code, code)
    labels = dict(Lead.Source.choices)
    for source, line in sources.items():
        line.label = str(labels.get(source, source))
    return Slices(
        totals=totals,
        provinces=sorted(provinces.values(), key=lambda line: (-line.received, line.key)),
        sources=sorted(sources.values(), key=lambda line: (-line.received, line.key)),
    )


def _months(start: date, end: date) -> list[date]:
    first, months = start.replace(day=1), []
    while first <= end:
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return months


def by_month(leads: QuerySet[Lead], *, start: date, end: date, dealer: Dealer | None = None) -> list[Counts]:
    """Per month of the period (Asia/Shanghai months), months without leads included."""
    rows = leads.order_by().annotate(month=TruncMonth("created_at")).values("month").annotate(**_stage_sums(dealer))
    found = {timezone.localtime(row["month"]).date(): row for row in rows}
    return [
        Counts.of(found[month], key=f"{month:%Y-%m}", label=f"{month:%Y-%m}")
        if month in found
        else Counts(key=f"{month:%Y-%m}", label=f"{month:%Y-%m}")
        for month in _months(start, end)
    ]


def by_dealer(assignments: QuerySet[Assignment], *, limit: int = TOP_DEALERS) -> list[DealerLine]:
    """The dealers offered the most leads, with what they did with them."""
    rows = (
        assignments.order_by()
        .values("dealer_id", "dealer__code", "dealer__name")
        .annotate(
            received=Count("lead", distinct=True),
            accepted=Count("lead", filter=Q(status=A.ACCEPTED), distinct=True),
            won=Count("lead", filter=Q(status=A.ACCEPTED, lead__status=L.WON), distinct=True),
            declined=Count("pk", filter=Q(status=A.DECLINED)),
            expired=Count("pk", filter=Q(status=A.EXPIRED)),
        )
        .order_by("-received", "dealer__code")[:limit]
    )
    return [
        DealerLine(
            dealer_id=row["dealer_id"],
            code=row["dealer__code"],
            name=row["dealer__name"],
            received=row["received"],
            accepted=row["accepted"],
            won=row["won"],
            declined=row["declined"],
            expired=row["expired"],
        )
        for row in rows
    ]


def lead_report(*, leads: QuerySet[Lead], start: date, end: date, dealer: Dealer | None = None) -> LeadReport:
    """Everything the funnel page shows for the leads received in the period; with ``dealer``, the leads
    offered to that dealer and what it did with them."""
    leads = in_period(leads, start, end)
    assignments = Assignment.objects.filter(lead__in=leads.values("pk"))
    if dealer is not None:
        leads = leads.filter(Exists(Assignment.objects.filter(lead=OuterRef("pk"), dealer=dealer)))
        assignments = assignments.filter(dealer=dealer)
    found = slices(leads, dealer=dealer)
    return LeadReport(
        start=start,
        end=end,
        totals=found.totals,
        offers=offers(assignments),
        provinces=found.provinces,
        dealers=by_dealer(assignments),
        sources=found.sources,
        months=by_month(leads, start=start, end=end, dealer=dealer),
    )
