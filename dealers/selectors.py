"""Reads of regions and dealers, scoped to the user first (``dms.scoping``)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from dealers.models import Dealer, DealerContact, Region
from dms.scoping import dealer_q


def region_list(*, user) -> QuerySet[Region]:
    """Regions are reference data: every signed-in user may read them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Region.objects.none()
    return Region.objects.select_related("parent")


def dealer_list(*, user, filters=None) -> QuerySet[Dealer]:
    qs = Dealer.objects.filter(dealer_q(user, field="pk"))
    qs = qs.select_related("region", "region__parent", "owner").annotate(contact_count=Count("contacts", distinct=True))
    if filters is not None:
        from dealers.filters import DealerFilterSet

        qs = DealerFilterSet(filters, queryset=qs).qs
    return qs


def dealer_detail_queryset(*, user) -> QuerySet[Dealer]:
    return (
        Dealer.objects.filter(dealer_q(user, field="pk"))
        .select_related("region", "region__parent", "owner")
        .prefetch_related(
            "served_regions",
            Prefetch("contacts", queryset=DealerContact.objects.order_by("-is_primary", "name")),
            "users",
        )
    )


def owner_choices():
    """Head-office users who can be made responsible for a dealer."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, dealer__isnull=True)
        .filter(Q(role__in=["hq_admin", "hq_staff", "sales_rep"]))
    )
