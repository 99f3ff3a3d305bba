"""Reads of carriers, rate cards and vehicles (head office's, for those who ship or manage the fleet) and of
shipments (as the orders they belong to: a dealer's own, head office's in its territory)."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from dealers.models import Region
from dms.events.models import Event
from dms.events.selectors import event_list
from dms.money import as_money
from dms.scoping import dealer_q, signed_in, visible_dealers
from logistics import verbs
from logistics.models import (
    Carrier,
    ClaimLine,
    DeliveryClaim,
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
    """A shipment with its lines and its journey, earliest step first, and the claim it replaces goods for."""
    return (
        shipment_list(user=user)
        .select_related("replaces")
        .prefetch_related(Prefetch("tracking", queryset=TrackingEvent.objects.order_by("occurred_at", "id")))
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


@dataclass(frozen=True)
class OrderFreight:
    """What carrying an order costs: each carrier shipment's charge, or its quote until the carrier bills,
    per unit those shipments carry and as a share of the order's net amount."""

    freight: Decimal
    units: int
    charged: int  # shipments counted at the carrier's charge
    quoted: int  # shipments counted at their quote
    unpriced: int  # carrier shipments with neither (no rate card to the destination), left out
    net_amount: Decimal

    @property
    def per_unit(self) -> Decimal | None:
        return as_money(self.freight / self.units) if self.units else None

    @property
    def share_percent(self) -> Decimal | None:
        return (self.freight * 100 / self.net_amount).quantize(Decimal("0.01")) if self.net_amount else None


def order_freight(*, order) -> OrderFreight | None:
    """The freight of an order's carrier shipments that are not cancelled (the order is already in the reader's
    scope), in one query; None when it has no such shipment. Own-fleet and pickup shipments carry no freight."""
    units = (
        ShipmentLine.objects.filter(shipment=OuterRef("pk"))
        .order_by()
        .values("shipment")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    priced = Q(shipment_cost__isnull=False)
    totals = (
        Shipment.objects.filter(order=order, mode=Shipment.Mode.CARRIER)
        .exclude(status=Shipment.Status.CANCELLED)
        .annotate(shipment_cost=Coalesce("freight_charge", "freight_quote"), shipment_units=Subquery(units))
        .aggregate(
            shipments=Count("pk"),
            freight=Sum("shipment_cost"),
            units=Sum("shipment_units", filter=priced),
            charged=Count("pk", filter=Q(freight_charge__isnull=False)),
            quoted=Count("pk", filter=Q(freight_charge__isnull=True, freight_quote__isnull=False)),
        )
    )
    if not totals["shipments"]:
        return None
    return OrderFreight(
        freight=totals["freight"] or Decimal("0.00"),
        units=totals["units"] or 0,
        charged=totals["charged"],
        quoted=totals["quoted"],
        unpriced=totals["shipments"] - totals["charged"] - totals["quoted"],
        net_amount=order.net_amount,
    )


def last_charge(*, user, shipment: Shipment) -> Event | None:
    """The latest record of the carrier's charge for the shipment: who recorded it, and the bill it came from."""
    return (
        event_list(user=user)
        .filter(
            verb=verbs.FREIGHT_CHARGED.code,
            target_type=ContentType.objects.get_for_model(Shipment),
            target_id=str(shipment.pk),
        )
        .first()
    )


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


def claim_list(*, user) -> QuerySet[DeliveryClaim]:
    """Delivery claims of the dealers in the user's scope (a dealer's own), newest first."""
    if not signed_in(user):
        return DeliveryClaim.objects.none()
    return (
        DeliveryClaim.objects.filter(dealer_q(user, field="dealer"))
        .select_related("dealer", "shipment", "order")
        .order_by("-opened_at", "-id")
    )


def claim_detail_queryset(*, user) -> QuerySet[DeliveryClaim]:
    """A claim with its lines, the goods' shipment and warehouse, the credit note and any replacement."""
    return (
        claim_list(user=user)
        .select_related("shipment__warehouse", "credit_note", "resolved_by", "opened_by")
        .prefetch_related(
            Prefetch("lines", queryset=ClaimLine.objects.select_related("product", "shipment_line")),
            Prefetch("replacements", queryset=Shipment.objects.order_by("id")),
        )
    )


def shipment_claims(*, shipment) -> list[DeliveryClaim]:
    """A shipment's claims (the shipment is already in the reader's scope), oldest first, with their lines."""
    return _claims_of(shipment=shipment)


def order_claims(*, order) -> list[DeliveryClaim]:
    """The claims on an order's shipments (the order is already in the reader's scope), oldest first."""
    return _claims_of(order=order)


def _claims_of(**where) -> list[DeliveryClaim]:
    return list(
        DeliveryClaim.objects.filter(**where)
        .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.select_related("product")))
        .order_by("opened_at", "id")
    )
