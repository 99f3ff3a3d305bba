"""Reads of carriers, rate cards and vehicles (head office's, for those who ship or manage the fleet) and of
shipments (as the orders they belong to: a dealer's own, head office's in its territory)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from dealers.models import Region
from dms.scoping import dealer_q, signed_in, visible_dealers
from logistics.models import (
    Carrier,
    DeliveryPlan,
    PlanRoute,
    PlanStop,
    RateCard,
    Shipment,
    ShipmentLine,
    TrackingEvent,
    Vehicle,
)


def can_manage_fleet(user) -> bool:
    if not (signed_in(user) and user.is_hq):
        return False
    return user.is_hq_admin or user.has_perm("logistics.manage_fleet")


def can_see_fleet(user) -> bool:
    """The carriers and vehicles pages: for who manages them and who ships orders."""
    return can_manage_fleet(user) or (signed_in(user) and user.is_hq and user.has_perm("orders.ship_order"))


def carrier_list(*, user) -> QuerySet[Carrier]:
    if not can_see_fleet(user):
        return Carrier.objects.none()
    return Carrier.objects.annotate(rate_card_count=Count("rate_cards", filter=Q(rate_cards__is_active=True))).order_by(
        "code"
    )


def rate_card_list(*, user) -> QuerySet[RateCard]:
    if not can_see_fleet(user):
        return RateCard.objects.none()
    return RateCard.objects.select_related("carrier", "origin", "destination")


def vehicle_list(*, user) -> QuerySet[Vehicle]:
    if not can_see_fleet(user):
        return Vehicle.objects.none()
    return Vehicle.objects.select_related("warehouse")


def rate_card_for(*, carrier: Carrier, origin_id: int, region: Region) -> RateCard | None:
    """The active card of ``carrier`` from the warehouse to ``region``: the most specific one, a city's
    before its province's."""
    ancestors = [part for part in region.path.split("/") if part]
    cards = RateCard.objects.filter(
        carrier=carrier, origin_id=origin_id, is_active=True, destination__code__in=ancestors
    ).select_related("destination")
    return max(cards, key=lambda card: len(card.destination.path), default=None)


def shipments_in_scope(*, user) -> QuerySet[Shipment]:
    """The shipments the user may act on: those of the dealers in the user's scope."""
    if not signed_in(user):
        return Shipment.objects.none()
    return Shipment.objects.filter(dealer_q(user, field="dealer")).select_related("dealer", "order")


def shipment_list(*, user) -> QuerySet[Shipment]:
    """Shipments newest first, with what a list row shows and their lines."""
    return (
        shipments_in_scope(user=user)
        .select_related("warehouse", "carrier", "ship_to_region", "invoice")
        .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects.select_related("product")))
        .order_by("-created_at", "-id")
    )


def shipment_detail_queryset(*, user) -> QuerySet[Shipment]:
    """A shipment with its lines and its journey, earliest step first."""
    return shipment_list(user=user).prefetch_related(
        Prefetch("tracking", queryset=TrackingEvent.objects.order_by("occurred_at", "id"))
    )


def order_shipments(*, order, with_tracking: bool = False) -> list[Shipment]:
    """An order's shipments (the order is already in the reader's scope), oldest first, with their lines and,
    when asked, their journeys."""
    shipments = (
        Shipment.objects.filter(order=order)
        .select_related("warehouse", "carrier", "invoice")
        .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects.select_related("product")))
        .order_by("created_at", "id")
    )
    if with_tracking:
        shipments = shipments.prefetch_related(
            Prefetch("tracking", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id"))
        )
    return list(shipments)


def can_see_plans(user) -> bool:
    """A delivery plan routes a warehouse's whole day, every dealer's stops: for who sees the fleet and every
    dealer, not for a user limited to a territory."""
    return can_see_fleet(user) and visible_dealers(user) is None


def plan_list(*, user) -> QuerySet[DeliveryPlan]:
    """Delivery plans, newest day first: for those who ship orders or manage the fleet, over every dealer."""
    if not can_see_plans(user):
        return DeliveryPlan.objects.none()
    return (
        DeliveryPlan.objects.select_related("warehouse")
        .annotate(route_count=Count("routes", distinct=True), stop_count=Count("stops", distinct=True))
        .order_by("-date", "warehouse__code", "id")
    )


def plan_detail_queryset(*, user) -> QuerySet[DeliveryPlan]:
    """A plan with its routes (vehicle, stops in order, each stop's shipment and dealer)."""
    if not can_see_plans(user):
        return DeliveryPlan.objects.none()
    stops = PlanStop.objects.select_related("shipment__dealer").order_by("sequence")
    routes = PlanRoute.objects.select_related("vehicle").prefetch_related(Prefetch("stops", queryset=stops))
    return DeliveryPlan.objects.select_related("warehouse").prefetch_related(
        Prefetch("routes", queryset=routes.order_by("vehicle__plate"))
    )


def route_detail_queryset(*, user) -> QuerySet[PlanRoute]:
    """A route with its plan, vehicle and stops, each with the shipment's lines: the route sheet and the driver's
    page."""
    if not can_see_plans(user):
        return PlanRoute.objects.none()
    lines = ShipmentLine.objects.select_related("product")
    stops = PlanStop.objects.select_related("shipment__dealer", "shipment__order").prefetch_related(
        Prefetch("shipment__lines", queryset=lines)
    )
    return PlanRoute.objects.select_related("plan__warehouse", "vehicle").prefetch_related(
        Prefetch("stops", queryset=stops.order_by("sequence"))
    )
