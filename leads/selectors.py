"""Reads of leads, scoped to the user first.

- HQ administrators, and HQ users who see every dealer, see every lead.
- Other HQ staff and reps see the leads in their regions' subtrees and the leads held by dealers
  they see.
- Dealer users see the leads offered to or accepted by their dealer now, and those their dealer
  once held; contact details of a lead they no longer hold are hidden (``contact_visible``).
- Deal registrations: head office sees those of the dealers it sees; a dealer only its own, and never
  the clashes with other dealers (``clashes`` is for head office).
"""

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value

from dms.scoping import dealer_q, visible_dealers
from leads.models import Assignment, DealRegistration, Lead


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def lead_list(*, user) -> QuerySet[Lead]:
    if not _signed_in(user):
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
    for path in user.regions.values_list("path", flat=True):
        territory |= Q(region__path__startswith=path)
    return qs.filter(pk__in=Lead.objects.filter(territory).values("pk"))


def open_assignment(*, lead: Lead) -> Assignment | None:
    return lead.assignments.filter(status__in=Assignment.OPEN).select_related("dealer").first()


def registration_list(*, user) -> QuerySet[DealRegistration]:
    if not _signed_in(user):
        return DealRegistration.objects.none()
    qs = DealRegistration.objects.select_related("dealer", "dealer__region", "product_line", "decided_by")
    if user.is_dealer_user:
        return qs.filter(dealer_id=user.dealer_id)
    if not user.is_hq:
        return qs.none()
    return qs.filter(dealer_q(user))
