"""Reads of leads, scoped to the user first.

- HQ administrators, and HQ users who see every dealer, see every lead.
- Other HQ staff and reps see the leads in their regions' subtrees and the leads held by dealers
  they see.
- Dealer users see the leads offered to or accepted by their dealer now, and those their dealer
  once held; contact details of a lead they no longer hold are hidden (``contact_visible``).
- Deal registrations: head office sees those of the dealers it sees; a dealer only its own, and never
  the clashes with other dealers (``clashes`` is for head office).
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import StartsWith
from django.utils import timezone

from dealers.models import Dealer
from dealers.regions import ancestor_paths
from dms.accounts.models import Role
from dms.scoping import dealer_q, signed_in, visible_dealers
from leads.models import Assignment, AssignmentRule, DealRegistration, FollowUp, Lead, LeadImport, LeadSource
from orders.models import DealerAuthorization


def lead_list(*, user) -> QuerySet[Lead]:
    if not signed_in(user):
        return Lead.objects.none()
    qs = Lead.objects.select_related("region", "region__parent", "product_line")
    if user.is_dealer_user:
        holds = Assignment.objects.filter(lead=OuterRef("pk"), dealer_id=user.dealer_id, status__in=Assignment.OPEN)
        held = Assignment.objects.filter(lead=OuterRef("pk"), dealer_id=user.dealer_id)
        return qs.annotate(contact_visible=Exists(holds)).filter(Exists(held))
    qs = qs.annotate(contact_visible=Value(True, output_field=BooleanField()))
    dealers = visible_dealers(user)
    if dealers is None:
        return qs
    territory = Q(assignments__dealer_id__in=dealers, assignments__status__in=Assignment.OPEN)
    for path in user.region_paths():
        territory |= Q(region__path__startswith=path)
    return qs.filter(pk__in=Lead.objects.filter(territory).values("pk"))


def _open_assignments(user) -> Prefetch:
    """The open assignment of each lead, with its dealer, as ``open_assignments`` (a list of at most one): a
    dealer user sees only its own dealer's."""
    open_now = Assignment.objects.filter(status__in=Assignment.OPEN).select_related("dealer")
    if getattr(user, "is_dealer_user", False):
        open_now = open_now.filter(dealer_id=user.dealer_id)
    return Prefetch("assignments", queryset=open_now, to_attr="open_assignments")


def leads_with_open_assignment(*, user) -> QuerySet[Lead]:
    """``lead_list`` with the open assignment the user may see of each lead (``open_assignments``): head
    office's lists and exports, the API."""
    return lead_list(user=user).prefetch_related(_open_assignments(user))


def lead_as_seen(*, user, lead: Lead, created: bool) -> Lead:
    """The lead as the user who just entered or acted on it sees it, from ``leads_with_open_assignment``. Entered by
    someone whose territory does not cover it, a new lead (``created``) shows what they typed; a customer
    already known elsewhere shows neither its contact details nor who holds it."""
    found = leads_with_open_assignment(user=user).filter(pk=lead.pk).first()
    if found is None:
        found = lead
        found.contact_visible, found.open_assignments = created, []
    return found


def open_assignment(*, lead: Lead) -> Assignment | None:
    return lead.assignments.filter(status__in=Assignment.OPEN).select_related("dealer").first()


def dealer_open_assignment(*, user, lead: Lead) -> Assignment | None:
    """The lead's open assignment (offered or accepted) when it is to the user's own dealer, else None."""
    assignment = open_assignment(lead=lead)
    if assignment is None or assignment.dealer_id != user.dealer_id:
        return None
    return assignment


def registration_list(*, user) -> QuerySet[DealRegistration]:
    if not signed_in(user):
        return DealRegistration.objects.none()
    qs = DealRegistration.objects.select_related("dealer", "dealer__region", "product_line", "decided_by")
    if user.is_dealer_user:
        return qs.filter(dealer_id=user.dealer_id)
    if not user.is_hq:
        return qs.none()
    return qs.filter(dealer_q(user))


# Head office's lead desk ---------------------------------------------------------------------------


def unassigned_queue(*, user) -> QuerySet[Lead]:
    """The leads waiting for head office to assign them, the oldest first."""
    return lead_list(user=user).filter(status=Lead.Status.UNASSIGNED).order_by("created_at", "pk")


def lead_desk_detail(*, user) -> QuerySet[Lead]:
    """``lead_list`` with everything the lead page shows: every assignment (oldest first, with dealer, rule
    and who assigned it), the repeat enquiries and the follow-ups."""
    return (
        lead_list(user=user)
        .select_related("source_site", "created_by", "won_order")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("dealer", "rule", "assigned_by").order_by(
                    "assigned_at", "pk"
                ),
            ),
            "touch_log",
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("dealer", "author")),
        )
    )


def dealers_by_id(*, user, ids) -> dict[int, Dealer]:
    """The dealers among ``ids`` that the user may see."""
    return Dealer.objects.filter(dealer_q(user, field="pk"), pk__in=set(ids)).in_bulk()


def _authorized_at_lead(*, user, day) -> QuerySet[Dealer]:
    """The active dealers the user may see that are authorised on ``day`` for the product line of the lead of
    the query around this one, where that lead is: by an authorisation without regions, or with a region on the
    way up from the lead's. For a query over leads; each dealer is checked through the authorisation index."""
    regions = DealerAuthorization.regions.through.objects.filter(dealerauthorization_id=OuterRef("pk"))
    lead_path = ExpressionWrapper(OuterRef(OuterRef(OuterRef("region__path"))), output_field=CharField())
    covering = DealerAuthorization.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        ~Exists(regions) | Exists(regions.filter(StartsWith(lead_path, F("region__path")))),
        dealer_id=OuterRef("pk"),
        product_line_id=OuterRef(OuterRef("product_line_id")),
        valid_from__lte=day,
    )
    return Dealer.objects.filter(dealer_q(user, field="pk"), Exists(covering), status=Dealer.Status.ACTIVE)


def assignable_dealers(*, user, leads, limit: int) -> dict[int, list[Dealer] | None]:
    """Per lead, the active dealers the user may see that are authorised today for its product line where it is,
    by code, each with ``open_leads`` (the leads it holds whose outcome is open). Choices to offer; the assignment
    service checks again. A lead with more authorised dealers than ``limit`` gets None instead of a list: too
    many to offer in a list, and never loaded. At most three queries, however many leads and dealers: whether
    each product line and region of the leads has a dealer past ``limit`` (a search that stops there), the
    authorisations of those that have not, and their dealers."""
    leads = list(leads)
    if not leads:
        return {}
    day = timezone.localdate()
    # One lead stands for all the leads of its product line and region.
    places = {}
    for lead in leads:
        places.setdefault((lead.product_line_id, lead.region.path), lead.pk)
    past_limit = _authorized_at_lead(user=user, day=day)[limit:]
    few = [
        (line_id, path)
        for line_id, path, crowded in Lead.objects.filter(pk__in=places.values())
        .annotate(crowded=Exists(past_limit))
        .order_by()
        .values_list("product_line_id", "region__path", "crowded")
        if not crowded
    ]
    chosen: dict[tuple[int, str], list[int] | None] = dict.fromkeys(places)
    if few:
        here = Q()
        for line_id, path in few:
            here |= Q(product_line_id=line_id) & (Q(regions__isnull=True) | Q(regions__path__in=ancestor_paths(path)))
        # One row per authorisation and region covering one of those places (None for one without regions).
        authorizations = (
            DealerAuthorization.objects.filter(
                here, dealer_q(user, field="dealer"), dealer__status=Dealer.Status.ACTIVE, valid_from__lte=day
            )
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .order_by()
            .values_list("pk", "product_line_id", "dealer_id", "dealer__code", "regions__path")
        )
        grants: dict[tuple[int, int, int, str], list[str]] = {}
        for pk, line_id, dealer_id, code, region_path in authorizations:
            paths = grants.setdefault((pk, line_id, dealer_id, code), [])
            if region_path is not None:
                paths.append(region_path)
        for line_id, path in few:
            found = {
                (code, dealer_id)
                for (_pk, granted_line, dealer_id, code), paths in grants.items()
                if granted_line == line_id and (not paths or path.startswith(tuple(paths)))
            }
            chosen[(line_id, path)] = [dealer_id for _code, dealer_id in sorted(found)] if len(found) <= limit else None
    ids = {pk for pks in chosen.values() if pks for pk in pks}
    open_leads = (
        Assignment.objects.filter(dealer=OuterRef("pk"), status__in=Assignment.OPEN)
        .exclude(lead__status__in=[Lead.Status.WON, Lead.Status.LOST])
        .order_by()
        .values("dealer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    dealers: dict[int, Dealer] = (
        Dealer.objects.annotate(open_leads=Coalesce(Subquery(open_leads), 0)).in_bulk(ids) if ids else {}
    )
    result = {}
    for lead in leads:
        pks = chosen[(lead.product_line_id, lead.region.path)]
        result[lead.pk] = None if pks is None else [dealers[pk] for pk in pks]
    return result


def registration_clashes(*, user, registration: DealRegistration) -> list[dict]:
    """The open leads and registrations of the same customer found when ``registration`` was submitted, each
    with the object as the user may see it now (``obj``, None when out of scope or gone). Two queries."""
    ids = {"lead": set(), "registration": set()}
    for clash in registration.clashes:
        if clash.get("kind") in ids:
            ids[clash["kind"]].add(clash.get("id"))
    found = {
        "lead": leads_with_open_assignment(user=user).filter(pk__in=ids["lead"]).in_bulk() if ids["lead"] else {},
        "registration": registration_list(user=user).filter(pk__in=ids["registration"]).in_bulk()
        if ids["registration"]
        else {},
    }
    return [
        {**clash, "obj": found[clash["kind"]].get(clash.get("id"))}
        for clash in registration.clashes
        if clash.get("kind") in found
    ]


# The dealer portal ---------------------------------------------------------------------------------

# The statuses of a lead the dealer accepted, in the order the pipeline shows them.
PIPELINE = (Lead.Status.ACCEPTED, Lead.Status.CONTACTED, Lead.Status.QUALIFIED, Lead.Status.WON, Lead.Status.LOST)
PIPELINE_OPEN = PIPELINE[:3]


def dealer_leads(*, user) -> QuerySet[Lead]:
    """``lead_list`` of a dealer user, with its dealer's open assignment of each lead: ``holding`` (offered,
    accepted, or None once recalled, declined or withdrawn), ``assignment_id``, ``offered_at``, ``deadline``
    and ``accepted_at``."""
    if not signed_in(user) or not user.is_dealer_user:
        return Lead.objects.none()
    mine = FilteredRelation(
        "assignments", condition=Q(assignments__dealer_id=user.dealer_id, assignments__status__in=Assignment.OPEN)
    )
    return (
        lead_list(user=user)
        .annotate(mine=mine)
        .annotate(
            holding=F("mine__status"),
            assignment_id=F("mine__id"),
            offered_at=F("mine__assigned_at"),
            deadline=F("mine__deadline"),
            accepted_at=F("mine__responded_at"),
        )
    )


def lead_inbox(*, user) -> QuerySet[Lead]:
    """The leads offered to the user's dealer now, the nearest deadline first."""
    return dealer_leads(user=user).filter(holding=Assignment.Status.OFFERED).order_by("deadline", "pk")


def lead_pipeline(*, user) -> QuerySet[Lead]:
    """The leads the user's dealer accepted and holds, with its latest follow-up's ``next_action_on`` and
    time (``last_follow_up_at``), and ``followed_up``: whether any follow-up came after the acceptance."""
    latest = FollowUp.objects.filter(lead=OuterRef("pk"), dealer_id=user.dealer_id).order_by("-created_at", "-pk")
    return (
        dealer_leads(user=user)
        .filter(holding=Assignment.Status.ACCEPTED, status__in=PIPELINE)
        .annotate(
            next_action_on=Subquery(latest.values("next_action_on")[:1]),
            last_follow_up_at=Subquery(latest.values("created_at")[:1]),
        )
        .annotate(
            followed_up=ExpressionWrapper(
                Q(last_follow_up_at__gte=F("accepted_at"), last_follow_up_at__isnull=False),
                output_field=BooleanField(),
            )
        )
    )


def pipeline_counts(*, user) -> dict[str, int]:
    """How many of the dealer's accepted leads are in each pipeline status."""
    rows = (
        dealer_leads(user=user)
        .filter(holding=Assignment.Status.ACCEPTED, status__in=PIPELINE)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return dict.fromkeys(PIPELINE, 0) | dict(rows)


def dealer_lead_detail(*, user) -> QuerySet[Lead]:
    """``dealer_leads`` with the dealer's own follow-ups (``my_follow_ups``, newest first) and the order won."""
    return (
        dealer_leads(user=user)
        .select_related("won_order")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.filter(dealer_id=user.dealer_id).select_related("author"),
                to_attr="my_follow_ups",
            )
        )
    )


class Median(Aggregate):
    """The median of an expression (PostgreSQL's ``percentile_cont``)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def dealer_lead_figures(*, user, now=None) -> dict[str, dict]:
    """The conversion figures of the user's dealer for ``month`` (this month) and ``year`` (this month and
    the eleven before it), each with its ``start``. Offers (received, accepted, declined, expired, the median
    time to accept) count by when they were made; outcomes (won, lost, the amount won) by when the lead
    closed. The acceptance rate is accepted out of offers answered or expired; the win rate is won out of
    leads closed. Two queries, however many leads."""
    if not signed_in(user) or not user.is_dealer_user:
        return {}
    local = timezone.localtime(now or timezone.now())
    zone = timezone.get_current_timezone()
    month_start = datetime(local.year, local.month, 1, tzinfo=zone)
    months_back = local.year * 12 + local.month - 1 - 11
    starts = {"month": month_start, "year": datetime(months_back // 12, months_back % 12 + 1, 1, tzinfo=zone)}
    A, L = Assignment.Status, Lead.Status
    offer_sums, lead_sums = {}, {}
    for key, start in starts.items():
        made = Q(assigned_at__gte=start)
        offer_sums |= {
            f"{key}_received": Count("pk", filter=made),
            f"{key}_accepted": Count("pk", filter=made & Q(status=A.ACCEPTED)),
            f"{key}_declined": Count("pk", filter=made & Q(status=A.DECLINED)),
            f"{key}_expired": Count("pk", filter=made & Q(status=A.EXPIRED)),
            f"{key}_time_to_accept": Median(
                F("responded_at") - F("assigned_at"),
                filter=made & Q(status=A.ACCEPTED),
                output_field=DurationField(),
            ),
        }
        closed = Q(lead__closed_at__gte=start)
        lead_sums |= {
            f"{key}_won": Count("pk", filter=closed & Q(lead__status=L.WON)),
            f"{key}_lost": Count("pk", filter=closed & Q(lead__status=L.LOST)),
            f"{key}_won_amount": Sum("lead__won_amount", filter=closed & Q(lead__status=L.WON)),
        }
    offers = Assignment.objects.filter(dealer_id=user.dealer_id, assigned_at__gte=starts["year"]).aggregate(
        **offer_sums
    )
    # The dealer's acceptances lead to the leads it closed (a lead has at most one accepted assignment): read
    # through the dealer's own assignments, not by scanning every lead closed in the year.
    outcomes = Assignment.objects.filter(
        dealer_id=user.dealer_id, status=A.ACCEPTED, lead__closed_at__gte=starts["year"]
    ).aggregate(**lead_sums)
    figures = {}
    for key, start in starts.items():
        prefix = f"{key}_"
        row = {
            name.removeprefix(prefix): value for name, value in (offers | outcomes).items() if name.startswith(prefix)
        }
        answered = row["accepted"] + row["declined"] + row["expired"]
        row["acceptance_rate"] = _ratio(row["accepted"], answered)
        row["win_rate"] = _ratio(row["won"], row["won"] + row["lost"])
        row["won_amount"] = row["won_amount"] or Decimal("0.00")
        figures[key] = {"start": start.date(), **row}
    return figures


def can_manage_routing(user) -> bool:
    """Assignment rules and lead sources: HQ administrators and holders of ``manage_lead_routing``
    (the ``lead_desk`` group). ``None`` is the system (the demo, migrations)."""
    if user is None:
        return True
    if not (signed_in(user) and user.is_hq):
        return False
    return user.is_hq_admin or user.has_perm("leads.manage_lead_routing")


def can_see_routing(user) -> bool:
    """The assignment rules and lead sources pages: head-office administrators and staff read them (changing
    them takes ``can_manage_routing``); sales reps work the leads of their territory, not the routing."""
    if user is None or can_manage_routing(user):
        return True
    return signed_in(user) and user.effective_role == Role.HQ_STAFF


def can_import_leads(user) -> bool:
    """Lead files are taken in by head-office administrators and staff; sales reps work the leads of their
    territory one by one. ``None`` is the system."""
    if user is None:
        return True
    return signed_in(user) and user.effective_role in (Role.HQ_ADMIN, Role.HQ_STAFF)


def source_list(*, user):
    """Lead sources, for head office."""
    if not (signed_in(user) and user.is_hq):
        return LeadSource.objects.none()
    return LeadSource.objects.all()


def rule_list(*, user):
    """Assignment rules, for head office; the ones in force first."""
    if not (signed_in(user) and user.is_hq):
        return AssignmentRule.objects.none()
    return AssignmentRule.objects.select_related("region", "region__parent", "product_line").order_by(
        "-is_active", "priority", "name", "pk"
    )


def import_list(*, user):
    """Lead imports: head office's administrators and routing managers see every import, other head-office
    staff their own."""
    if not (signed_in(user) and user.is_hq):
        return LeadImport.objects.none()
    qs = LeadImport.objects.select_related("created_by")
    return qs if can_manage_routing(user) else qs.filter(created_by=user)
