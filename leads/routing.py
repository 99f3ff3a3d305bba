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
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer, Region
from leads.models import Assignment, AssignmentRule, DealRegistration, Lead
from orders.models import DealerAuthorization

TIER_SCORE = {"A": 1.0, "B": 0.75, "C": 0.5, "D": 0.25}
# Beyond this distance a dealer gets no points for being near; without coordinates, half the points.
FAR_KM = 500.0
# After a week without a lead a dealer gets the full fairness points.
FAIRNESS_HOURS = 168.0


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


@dataclass
class Decision:
    lead: Lead
    rule: object
    dealer: Dealer | None = None
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


def ancestors(region: Region) -> list[str]:
    """Paths of the region and the regions above it, most specific first."""
    parts = region.path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))][::-1]


def distance_km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def rule_for(lead: Lead, rules: list[AssignmentRule]):
    """The most specific matching rule: deepest region, then with a product line, then priority."""
    matching = [
        rule
        for rule in rules
        if (rule.region_id is None or lead.region.path.startswith(rule.region.path))
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
        day = timezone.localdate(self.now)
        keys = {lead.company_key for lead in leads if lead.company_key}
        phones = {lead.phone for lead in leads if lead.phone}
        protections = DealRegistration.objects.filter(
            Q(customer_key__in=keys) | Q(customer_phone__in=phones),
            status=DealRegistration.Status.APPROVED,
            protected_until__gte=day,
            dealer__status=Dealer.Status.ACTIVE,
        ).select_related("dealer")
        self.protected_by_key = {r.customer_key: r for r in protections}
        self.protected_by_phone = {r.customer_phone: r for r in protections if r.customer_phone}
        # Only dealers serving a region on the way up from one of these leads can be candidates.
        paths = {path for lead in leads for path in ancestors(lead.region)}
        served = list(
            Dealer.served_regions.through.objects.filter(
                region__path__in=paths, dealer__status=Dealer.Status.ACTIVE
            ).values_list("dealer_id", "region__path")
        )
        nearby = {dealer_id for dealer_id, _path in served}
        protecting = {r.dealer_id for r in protections}
        lines = {lead.product_line_id for lead in leads}
        auths = list(
            DealerAuthorization.objects.filter(
                dealer_id__in=nearby | protecting | set(also), product_line_id__in=lines, valid_from__lte=day
            )
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .values_list("pk", "dealer_id", "product_line_id")
        )
        limited: dict[int, list[str]] = {}
        for auth_id, path in DealerAuthorization.regions.through.objects.filter(
            dealerauthorization_id__in=[pk for pk, _d, _l in auths]
        ).values_list("dealerauthorization_id", "region__path"):
            limited.setdefault(auth_id, []).append(path)
        # (dealer, line) → region paths it is authorised in; an empty tuple means everywhere.
        self.authorized: dict[tuple[int, int], list[tuple[str, ...]]] = {}
        for auth_id, dealer_id, line_id in auths:
            self.authorized.setdefault((dealer_id, line_id), []).append(tuple(limited.get(auth_id, ())))
        dealer_ids = {dealer_id for dealer_id, _line in self.authorized}
        self.dealers = {
            d.pk: d
            for d in Dealer.objects.filter(pk__in=dealer_ids & nearby).only(
                "pk", "code", "name", "tier", "latitude", "longitude", "lead_capacity"
            )
        }
        # served region path → dealers serving exactly that region, in code order
        self.serving: dict[str, list[Dealer]] = {}
        for dealer_id, path in served:
            if dealer_id in self.dealers:
                self.serving.setdefault(path, []).append(self.dealers[dealer_id])
        for candidates in self.serving.values():
            candidates.sort(key=lambda d: d.code)
        open_counts = (
            Assignment.objects.filter(dealer_id__in=dealer_ids, status__in=Assignment.OPEN)
            .exclude(lead__status__in=[Lead.Status.WON, Lead.Status.LOST])
            .values("dealer_id")
            .annotate(n=Count("id"))
        )
        self.load = {row["dealer_id"]: row["n"] for row in open_counts}
        last = Assignment.objects.filter(dealer_id__in=dealer_ids).values("dealer_id").annotate(at=Max("assigned_at"))
        self.last_assigned = {row["dealer_id"]: row["at"] for row in last}
        refused = Assignment.objects.filter(
            lead__in=leads, status__in=[Assignment.Status.DECLINED, Assignment.Status.EXPIRED]
        ).values_list("lead_id", "dealer_id")
        self.refused = set(refused)
        self.rules = list(
            AssignmentRule.objects.filter(is_active=True).select_related("region").order_by("priority", "pk")
        )

    def authorized_here(self, dealer_id: int, lead: Lead) -> bool:
        for paths in self.authorized.get((dealer_id, lead.product_line_id), []):
            if not paths or any(lead.region.path.startswith(p) for p in paths):
                return True
        return False

    def _eligible(self, dealer: Dealer, lead: Lead) -> bool:
        return (
            (lead.pk, dealer.pk) not in self.refused
            and self.load.get(dealer.pk, 0) < dealer.lead_capacity
            and self.authorized_here(dealer.pk, lead)
        )

    def candidates(self, lead: Lead) -> tuple[str, list[Dealer]]:
        """The level the candidates were found at and the candidates, or ("", [])."""
        for path in ancestors(lead.region):
            found = [d for d in self.serving.get(path, []) if self._eligible(d, lead)]
            if found:
                return path, found
        return "", []

    def _score(self, rule, dealer: Dealer, lead: Lead) -> dict:
        if lead.latitude is not None and dealer.latitude is not None:
            km = distance_km(lead.latitude, lead.longitude, dealer.latitude, dealer.longitude)
            near = max(0.0, 1 - km / FAR_KM)
        else:
            km, near = None, 0.5
        load = self.load.get(dealer.pk, 0)
        free = 1 - load / dealer.lead_capacity if dealer.lead_capacity else 0.0
        last = self.last_assigned.get(dealer.pk)
        waited = 1.0 if last is None else min((self.now - last).total_seconds() / 3600 / FAIRNESS_HOURS, 1.0)
        parts = {
            "tier": rule.weight_tier * TIER_SCORE.get(dealer.tier, 0.0),
            "distance": rule.weight_distance * near,
            "load": rule.weight_load * free,
            "fairness": rule.weight_fairness * waited,
        }
        return {
            "dealer": dealer.pk,
            "code": dealer.code,
            "tier": dealer.tier,
            "km": None if km is None else round(km, 1),
            "load": load,
            "capacity": dealer.lead_capacity,
            "last_assigned": last.isoformat() if last else None,
            "points": {k: round(v, 2) for k, v in parts.items()},
            "score": round(sum(parts.values()), 2),
        }

    def _protection(self, lead: Lead):
        registration = self.protected_by_key.get(lead.company_key) if lead.company_key else None
        if registration is None and lead.phone:
            registration = self.protected_by_phone.get(lead.phone)
        if registration is None or (lead.pk, registration.dealer_id) in self.refused:
            return None
        if not self.authorized_here(registration.dealer_id, lead):
            return None
        return registration

    def decide(self, lead: Lead) -> Decision:
        rule = rule_for(lead, self.rules)
        decision = Decision(lead=lead, rule=rule)
        registration = self._protection(lead)
        if registration is not None:
            # A registered, protected customer goes to the dealer that registered it, whatever the ranking.
            dealer = registration.dealer
            decision.dealer = dealer
            decision.candidates = [{"dealer": dealer.pk, "code": dealer.code, "protected_by": registration.pk}]
            self.load[dealer.pk] = self.load.get(dealer.pk, 0) + 1
            self.last_assigned[dealer.pk] = self.now
            return decision
        if rule.strategy == AssignmentRule.Strategy.MANUAL:
            decision.reason = Lead.UnassignedReason.MANUAL_RULE
            return decision
        level, found = self.candidates(lead)
        if not found:
            decision.reason = Lead.UnassignedReason.NO_CANDIDATE
            return decision
        scored = [self._score(rule, dealer, lead) for dealer in found]
        if rule.strategy == AssignmentRule.Strategy.ROUND_ROBIN:
            epoch = "0000"
            scored.sort(key=lambda c: (c["last_assigned"] or epoch, c["code"]))
        else:
            scored.sort(key=lambda c: (-c["score"], c["code"]))
        for candidate in scored:
            candidate["level"] = level
        decision.candidates = scored
        decision.dealer = self.dealers[scored[0]["dealer"]]
        # The batch continues: the winner now holds one more lead and was assigned just now.
        self.load[decision.dealer.pk] = self.load.get(decision.dealer.pk, 0) + 1
        self.last_assigned[decision.dealer.pk] = self.now
        return decision
