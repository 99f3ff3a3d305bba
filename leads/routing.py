"""Who should get a lead: candidates and their ranking, for many leads at once with a fixed number of
queries. Pure decisions here; ``leads.services`` writes them.

Candidates for a lead are the active dealers that
- are authorised today for its product line, where the lead is (an authorisation without regions
  covers everywhere);
- serve its region at the most specific level that has any such dealer (district, then city, then
  province);
- hold fewer open leads than their capacity;
- have not declined this lead or let it expire before.

A customer another dealer registered and head office protects goes to that dealer first.

A rule (the most specific active one for the lead's region and product line) ranks them:
``weighted`` sums tier, distance, free capacity and time since the dealer's last lead;
``round_robin`` takes the dealer that waited longest; ``manual`` leaves the lead to head office.
Ties go to the lower dealer code, so the same data always gives the same winner.

A batch is hundreds of leads over the same few hundred dealers, so what does not change within the batch
is worked out once: each dealer's facts and position, and for each region and product line the dealers
authorised there at every level and the rule that applies.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dealers.regions import ancestor_paths
from leads.models import Assignment, AssignmentRule, DealRegistration, Lead
from orders.models import DealerAuthorization

TIER_SCORE = {"A": 1.0, "B": 0.75, "C": 0.5, "D": 0.25}
# Beyond this distance a dealer gets no points for being near; without coordinates, half the points.
FAR_KM = 500.0
# After a week without a lead a dealer gets the full fairness points.
FAIRNESS_HOURS = 168.0
EARTH_KM = 6371.0
# What routing reads of a lead, besides the path of its region (``with_region_path``); the event log needs only
# its number. A batch is hundreds of leads: no more of them is loaded, and no region object for each.
LEAD_FIELDS = ("phone", "company_key", "latitude", "longitude", "product_line")


@dataclass(frozen=True)
class DefaultRule:
    """The weights used when no rule matches."""

    pk = None
    name = _("Default")
    strategy = AssignmentRule.Strategy.WEIGHTED
    weight_tier = 30
    weight_distance = 30
    weight_load = 20
    weight_fairness = 20

    @property
    def accept_minutes(self) -> int:
        return settings.DMS_LEAD_ACCEPT_MINUTES


@dataclass(frozen=True, slots=True)
class Position:
    """A point in radians, with the cosine of its latitude that every distance from it uses."""

    lat: float
    lon: float
    cos_lat: float

    @classmethod
    def of(cls, latitude: Decimal | None, longitude: Decimal | None) -> "Position | None":
        """The point, or None without coordinates."""
        if latitude is None:
            return None
        lat, lon = math.radians(float(latitude)), math.radians(float(longitude))
        return cls(lat, lon, math.cos(lat))

    def km_to(self, other: "Position") -> float:
        """Great-circle distance (haversine)."""
        a = (
            math.sin((other.lat - self.lat) / 2) ** 2
            + self.cos_lat * other.cos_lat * math.sin((other.lon - self.lon) / 2) ** 2
        )
        return EARTH_KM * 2 * math.asin(math.sqrt(a))


@dataclass(slots=True)
class DealerFacts:
    """What routing knows of a dealer during a batch; ``load``, ``last_assigned`` and ``waited`` move as it
    wins leads."""

    pk: int
    code: str
    tier: str
    lead_capacity: int
    position: Position | None
    load: int
    last_assigned: str | None  # as the explanation shows it (ISO 8601)
    waited: float  # the share of the fairness points earned since the last lead


@dataclass
class Decision:
    lead: Lead
    rule: object
    dealer: DealerFacts | None = None
    reason: str = ""
    candidates: list[dict] = field(default_factory=list)

    def as_data(self) -> dict:
        """What is stored with the assignment (or the unassigned lead) and shown to head office."""
        return {
            "rule": str(self.rule.name),
            "rule_id": self.rule.pk,
            "strategy": str(self.rule.strategy),
            "candidates": self.candidates,
        }


def with_region_path(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """The leads with the path of their region as ``region_path``, which routing reads."""
    return leads.annotate(region_path=F("region__path"))


def rule_for(lead: Lead, rules: list[AssignmentRule]):
    """The most specific matching rule: deepest region, then with a product line, then priority."""
    matching = [
        rule
        for rule in rules
        if (rule.region_id is None or lead.region_path.startswith(rule.region.path))
        and (rule.product_line_id is None or rule.product_line_id == lead.product_line_id)
    ]
    if not matching:
        return DefaultRule()
    return min(
        matching,
        key=lambda r: (-(len(r.region.path) if r.region_id else 0), r.product_line_id is None, r.priority, r.pk),
    )


class Router:
    """Decides for a batch of leads, loading what it needs in a handful of queries."""

    def __init__(self, leads: list[Lead], *, now: datetime | None = None, also=()):
        """``also``: ids of dealers to know about wherever they serve (one head office is assigning to)."""
        self.leads = leads
        self.now = now or timezone.now()
        self.now_text = self.now.isoformat()
        day = timezone.localdate(self.now)
        keys = {lead.company_key for lead in leads if lead.company_key}
        phones = {lead.phone for lead in leads if lead.phone}
        protections = list(
            DealRegistration.objects.filter(
                Q(customer_key__in=keys) | Q(customer_phone__in=phones),
                status=DealRegistration.Status.APPROVED,
                protected_until__gte=day,
                dealer__status=Dealer.Status.ACTIVE,
            ).only("pk", "dealer_id", "customer_key", "customer_phone")
        )
        self.protected_by_key = {r.customer_key: r for r in protections}
        self.protected_by_phone = {r.customer_phone: r for r in protections if r.customer_phone}
        # Only dealers serving a region on the way up from one of these leads can be candidates; the dealers
        # protecting a customer, and those asked for, are known wherever they serve.
        paths = {path for lead in leads for path in ancestor_paths(lead.region_path)}
        serving = Dealer.served_regions.through.objects.filter(
            region__path__in=paths, dealer__status=Dealer.Status.ACTIVE
        )
        served = list(serving.values_list("dealer_id", "region__path"))
        known = Q(pk__in=serving.values("dealer_id")) | Q(pk__in={r.dealer_id for r in protections} | set(also))
        lines = {lead.product_line_id for lead in leads}
        # (dealer, line) authorised everywhere, and those authorised in some regions only with the region paths
        self.everywhere: set[tuple[int, int]] = set()
        self.limited: dict[tuple[int, int], set[str]] = {}
        regions_of: dict[int, tuple[tuple[int, int], list[str]]] = {}
        for auth_id, dealer_id, line_id, path in (
            DealerAuthorization.objects.filter(
                dealer__in=Dealer.objects.filter(known).values("pk"), product_line_id__in=lines, valid_from__lte=day
            )
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .values_list("pk", "dealer_id", "product_line_id", "regions__path")
            .order_by()
        ):
            paths_of_auth = regions_of.setdefault(auth_id, ((dealer_id, line_id), []))[1]
            if path is not None:
                paths_of_auth.append(path)
        for key, paths_of_auth in regions_of.values():
            if paths_of_auth:
                self.limited.setdefault(key, set()).update(paths_of_auth)
            else:
                self.everywhere.add(key)
        authorized_dealers = {dealer_id for dealer_id, _line in (*self.everywhere, *self.limited)}
        # Open leads: offered or accepted, and not since won or lost.
        closed = Lead.objects.filter(status__in=[Lead.Status.WON, Lead.Status.LOST])
        open_leads = Q(lead_assignments__status__in=Assignment.OPEN) & ~Q(lead_assignments__lead__in=closed)
        self.facts: dict[int, DealerFacts] = {}
        for pk, code, tier, latitude, longitude, capacity, load, last in (
            Dealer.objects.filter(known)
            .annotate(load=Count("lead_assignments", filter=open_leads), last=Max("lead_assignments__assigned_at"))
            .values_list("pk", "code", "tier", "latitude", "longitude", "lead_capacity", "load", "last")
            .order_by()
        ):
            if pk not in authorized_dealers:
                continue
            self.facts[pk] = DealerFacts(
                pk=pk,
                code=code,
                tier=tier,
                lead_capacity=capacity,
                position=Position.of(latitude, longitude),
                load=load,
                last_assigned=last.isoformat() if last else None,
                waited=self._waited(last),
            )
        # served region path → dealers serving exactly that region, in code order
        self.serving: dict[str, list[DealerFacts]] = {}
        for dealer_id, path in served:
            if dealer_id in self.facts:
                self.serving.setdefault(path, []).append(self.facts[dealer_id])
        for candidates in self.serving.values():
            candidates.sort(key=lambda d: d.code)
        self.refused: dict[int, set[int]] = {}
        for lead_id, dealer_id in (
            Assignment.objects.filter(
                lead_id__in=[lead.pk for lead in leads],
                status__in=[Assignment.Status.DECLINED, Assignment.Status.EXPIRED],
            )
            .values_list("lead_id", "dealer_id")
            .order_by()
        ):
            self.refused.setdefault(lead_id, set()).add(dealer_id)
        self.rules = list(
            AssignmentRule.objects.filter(is_active=True).select_related("region").order_by("priority", "pk")
        )
        self._authorized_at_level: dict[tuple[str, int, str], list[DealerFacts]] = {}
        self._rules: dict[tuple[str, int], object] = {}

    def _waited(self, last: datetime | None) -> float:
        return 1.0 if last is None else min((self.now - last).total_seconds() / 3600 / FAIRNESS_HOURS, 1.0)

    def load_of(self, dealer_id: int) -> int:
        """Open leads of a dealer known to the batch, including those given in it so far."""
        facts = self.facts.get(dealer_id)
        return facts.load if facts else 0

    def authorized_here(self, dealer_id: int, lead: Lead) -> bool:
        key = (dealer_id, lead.product_line_id)
        return key in self.everywhere or any(lead.region_path.startswith(p) for p in self.limited.get(key, ()))

    def _authorized_at(self, lead: Lead, path: str) -> list[DealerFacts]:
        """The dealers serving ``path`` that are authorised for the lead's product line where the lead is: the
        same for every lead of that region and line."""
        key = (lead.region_path, lead.product_line_id, path)
        if key not in self._authorized_at_level:
            self._authorized_at_level[key] = [d for d in self.serving.get(path, []) if self.authorized_here(d.pk, lead)]
        return self._authorized_at_level[key]

    def _rule_for(self, lead: Lead):
        key = (lead.region_path, lead.product_line_id)
        if key not in self._rules:
            self._rules[key] = rule_for(lead, self.rules)
        return self._rules[key]

    def candidates(self, lead: Lead) -> tuple[str, list[DealerFacts]]:
        """The level the candidates were found at and the candidates, or ("", [])."""
        refused = self.refused.get(lead.pk, ())
        for path in ancestor_paths(lead.region_path):
            found = [d for d in self._authorized_at(lead, path) if d.load < d.lead_capacity and d.pk not in refused]
            if found:
                return path, found
        return "", []

    def _score(self, rule, dealer: DealerFacts, here: Position | None) -> dict:
        if here is not None and dealer.position is not None:
            km = here.km_to(dealer.position)
            near = max(0.0, 1 - km / FAR_KM)
        else:
            km, near = None, 0.5
        free = 1 - dealer.load / dealer.lead_capacity if dealer.lead_capacity else 0.0
        tier = rule.weight_tier * TIER_SCORE.get(dealer.tier, 0.0)
        distance = rule.weight_distance * near
        load = rule.weight_load * free
        fairness = rule.weight_fairness * dealer.waited
        return {
            "dealer": dealer.pk,
            "code": dealer.code,
            "tier": dealer.tier,
            "km": None if km is None else round(km, 1),
            "load": dealer.load,
            "capacity": dealer.lead_capacity,
            "last_assigned": dealer.last_assigned,
            "points": {
                "tier": round(tier, 2),
                "distance": round(distance, 2),
                "load": round(load, 2),
                "fairness": round(fairness, 2),
            },
            "score": round(tier + distance + load + fairness, 2),
        }

    def _protection(self, lead: Lead):
        registration = self.protected_by_key.get(lead.company_key) if lead.company_key else None
        if registration is None and lead.phone:
            registration = self.protected_by_phone.get(lead.phone)
        if registration is None or registration.dealer_id in self.refused.get(lead.pk, ()):
            return None
        if not self.authorized_here(registration.dealer_id, lead):
            return None
        return registration

    def _give(self, decision: Decision, dealer: DealerFacts) -> None:
        """The batch continues: the winner now holds one more lead and was assigned just now."""
        decision.dealer = dealer
        dealer.load += 1
        dealer.last_assigned, dealer.waited = self.now_text, self._waited(self.now)

    def decide(self, lead: Lead) -> Decision:
        rule = self._rule_for(lead)
        decision = Decision(lead=lead, rule=rule)
        registration = self._protection(lead)
        if registration is not None:
            # A registered, protected customer goes to the dealer that registered it, whatever the ranking.
            dealer = self.facts[registration.dealer_id]
            decision.candidates = [{"dealer": dealer.pk, "code": dealer.code, "protected_by": registration.pk}]
            self._give(decision, dealer)
            return decision
        if rule.strategy == AssignmentRule.Strategy.MANUAL:
            decision.reason = Lead.UnassignedReason.MANUAL_RULE
            return decision
        level, found = self.candidates(lead)
        if not found:
            decision.reason = Lead.UnassignedReason.NO_CANDIDATE
            return decision
        here = Position.of(lead.latitude, lead.longitude)
        scored = [self._score(rule, dealer, here) for dealer in found]
        if rule.strategy == AssignmentRule.Strategy.ROUND_ROBIN:
            epoch = "0000"
            scored.sort(key=lambda c: (c["last_assigned"] or epoch, c["code"]))
        else:
            scored.sort(key=lambda c: (-c["score"], c["code"]))
        for candidate in scored:
            candidate["level"] = level
        decision.candidates = scored
        self._give(decision, self.facts[scored[0]["dealer"]])
        return decision
