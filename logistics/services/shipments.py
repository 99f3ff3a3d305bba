"""Shipments: planned from an approved order's reservations, dispatched (stock leaves, the shipped part is
invoiced), tracked and delivered with what the dealer received.

Lock order, as in the orders app: the order row, then its shipments, then (inside ``order_fulfil``) the dealer's
credit account and the stock levels. Two shipments of the same order wait for each other on the order's row, so
the quantities still to plan are counted by one of them at a time.
"""

import uuid
from datetime import time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.documents import check_upload
from dms import events
from dms.accounts.models import User
from dms.errors import DomainError, InvalidTransition, PermissionDeniedError, RuleViolation
from dms.numbers import next_number
from dms.scoping import actor_or_none
from logistics import verbs
from logistics.models import Carrier, DeliveryClaim, Shipment, ShipmentLine, TrackingEvent
from logistics.services.claims import shortage_claim_open
from logistics.services.common import (
    St,
    lock_order,
    lock_shipment,
    require_receiver,
    require_shipper,
    shipment_defaults,
    shipment_move,
)
from logistics.services.fleet import freight_quote
from orders import services as orders
from orders.models import Order, OrderLine, Reservation, Warehouse
from orders.services.common import dealer_admins, people_to_tell, required_reason

Kind = TrackingEvent.Kind

# What a tracking event does to the shipment's status when it is the latest one; the others leave it as it is.
EVENT_STATUS = {Kind.EXCEPTION: St.EXCEPTION, Kind.IN_TRANSIT: St.IN_TRANSIT, Kind.OUT_FOR_DELIVERY: St.IN_TRANSIT}


class NothingToShip(DomainError):
    code = "nothing_to_ship"
    message = _("Nothing of this order is left to ship from this warehouse.")
    status_code = 409


def left_to_plan(*, order: Order, warehouse_id: int) -> dict[int, int]:
    """Per order line: what the line holds reserved in the warehouse and no planned shipment takes yet. (Shipped
    quantities have left the reservation already.) Read under the order's lock to plan with it."""
    reserved = dict(
        Reservation.objects.filter(line__order=order, warehouse_id=warehouse_id).values_list("line_id", "quantity")
    )
    planned = dict(
        ShipmentLine.objects.filter(
            shipment__order=order,
            shipment__warehouse_id=warehouse_id,
            shipment__status=St.PLANNED,
            shipment__replaces__isnull=True,
        )
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
    left = {line_id: quantity - planned.get(line_id, 0) for line_id, quantity in reserved.items()}
    return {line_id: quantity for line_id, quantity in left.items() if quantity > 0}


def left_by_warehouse(*, order: Order) -> list[tuple[Warehouse, dict[int, int]]]:
    """Each warehouse still holding some of the order that no planned shipment takes yet, first choice first,
    with ``left_to_plan`` there."""
    held = Reservation.objects.filter(line__order=order).values_list("warehouse_id", flat=True)
    found = ((w, left_to_plan(order=order, warehouse_id=w.pk)) for w in Warehouse.objects.filter(pk__in=held))
    return sorted(((w, left) for w, left in found if left), key=lambda item: (item[0].priority, item[0].code))


def _chosen_lines(order: Order, left: dict[int, int], lines) -> list[tuple[OrderLine, int]]:
    """``lines`` as (order line, quantity): everything left when none are named, else each named product's
    quantity, checked against what is left."""
    order_lines = {line.pk: line for line in OrderLine.objects.filter(order=order).select_related("product")}
    if lines is None:
        return [(order_lines[line_id], quantity) for line_id, quantity in sorted(left.items())]
    by_product = {line.product_id: line for line in order_lines.values()}
    chosen: dict[int, int] = {}
    problems = []
    for product, quantity in lines:
        product_id = getattr(product, "pk", product)
        line = by_product.get(product_id)
        if line is None:
            problems.append({"product": product_id, "code": "not_ordered"})
            continue
        chosen[line.pk] = chosen.get(line.pk, 0) + quantity
    for line_id, quantity in chosen.items():
        available = left.get(line_id, 0)
        if quantity < 1 or quantity > available:
            line = order_lines[line_id]
            problems.append(
                {"product": line.product_id, "sku": line.product.sku, "code": "more_than_left", "left": available}
            )
    if problems:
        raise RuleViolation(
            _("Some lines ask for more than the order has left to ship from this warehouse."),
            code="more_than_left",
            field="lines",
            data={"lines": problems},
        )
    return [(order_lines[line_id], quantity) for line_id, quantity in chosen.items() if quantity]


def _window(order: Order, opens, closes) -> tuple[time, time]:
    if opens is None or closes is None:
        defaults = shipment_defaults(order)
        opens, closes = opens or defaults["window_opens"], closes or defaults["window_closes"]
    if closes <= opens:
        raise RuleViolation(
            _("The receiving window must close after it opens."), code="invalid_window", field="window_closes"
        )
    return opens, closes


def _mode_and_carrier(mode: str, carrier: Carrier | None) -> None:
    if mode not in Shipment.Mode.values:
        raise RuleViolation(_("Unknown shipping mode."), code="invalid_mode", field="mode")
    if mode == Shipment.Mode.CARRIER:
        if carrier is None or not carrier.is_active:
            raise RuleViolation(_("Choose an active carrier."), code="carrier_required", field="carrier")
    elif carrier is not None:
        raise RuleViolation(
            _("Only a shipment by carrier names a carrier."), code="carrier_not_allowed", field="carrier"
        )


def _quote(shipment: Shipment) -> Decimal | None:
    if shipment.mode != Shipment.Mode.CARRIER or shipment.ship_to_region_id is None:
        return None
    try:
        quote = freight_quote(
            carrier=shipment.carrier,
            origin_id=shipment.warehouse_id,
            region=shipment.ship_to_region,
            weight_kg=shipment.weight_kg,
            volume_m3=shipment.volume_m3,
        )
    except RuleViolation:
        return None  # no rate card to the destination: the actual charge is recorded when the carrier bills
    return quote.total


def shipment_create(
    *,
    actor: User | None,
    order: Order,
    warehouse: Warehouse,
    lines=None,
    mode: str = Shipment.Mode.OWN_FLEET,
    carrier: Carrier | None = None,
    tracking_number: str = "",
    requested_date=None,
    window_opens=None,
    window_closes=None,
    note: str = "",
) -> Shipment:
    """Plan a shipment of an approved order from one warehouse: ``lines`` as (product, quantity), or everything
    the order holds reserved there and no other planned shipment takes."""
    require_shipper(actor, order.dealer_id)
    _mode_and_carrier(mode, carrier)
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status not in orders.SHIPPABLE:
            raise InvalidTransition(current=locked.get_status_display(), target=Order.Status.SHIPPED.label)
        left = left_to_plan(order=locked, warehouse_id=warehouse.pk)
        chosen = _chosen_lines(locked, left, lines)
        if not chosen:
            raise NothingToShip(field="lines")
        opens, closes = _window(locked, window_opens, window_closes)
        dealer = locked.dealer
        today = timezone.localdate()
        shipment = Shipment(
            number=next_number("SH"),
            order=locked,
            dealer=dealer,
            warehouse=warehouse,
            mode=mode,
            carrier=carrier,
            tracking_number=(tracking_number or "").strip(),
            ship_to_address=locked.ship_to_address or dealer.address,
            ship_to_region_id=locked.ship_to_region_id or dealer.region_id,
            latitude=dealer.latitude,
            longitude=dealer.longitude,
            requested_date=requested_date or max(locked.requested_delivery_date or today, today),
            window_opens=opens,
            window_closes=closes,
            weight_kg=sum((line.product.weight_kg * quantity for line, quantity in chosen), Decimal(0)),
            volume_m3=sum((line.product.volume_m3 * quantity for line, quantity in chosen), Decimal(0)),
            note=note,
            created_by=actor_or_none(actor),
        )
        shipment.freight_quote = _quote(shipment)
        shipment.save()
        ShipmentLine.objects.bulk_create(
            [
                ShipmentLine(shipment=shipment, order_line=line, product=line.product, quantity=quantity)
                for line, quantity in chosen
            ]
        )
        events.record(
            actor=actor,
            verb=verbs.SHIPMENT_PLANNED.code,
            target=shipment,
            data={"order": locked.number, "warehouse": warehouse.code},
        )
    return shipment


def _dispatch(actor: User | None, order: Order, shipment: Shipment) -> None:
    """Dispatch a planned shipment whose order and row the caller has locked."""
    shipment_move(shipment, St.IN_TRANSIT)
    if shipment.replaces_id:
        orders.stock_issue_free(
            actor=actor,
            order=order,
            warehouse_id=shipment.warehouse_id,
            quantities=dict(shipment.lines.values_list("product_id", "quantity")),
            reason=shipment.note,
        )
    else:
        quantities = dict(shipment.lines.values_list("order_line_id", "quantity"))
        shipment.invoice = orders.order_fulfil(
            actor=actor, order=order, warehouse_id=shipment.warehouse_id, quantities=quantities
        )
    shipment.dispatched_at = timezone.now()
    shipment.save()
    TrackingEvent.objects.create(
        shipment=shipment,
        status=Kind.DISPATCHED,
        occurred_at=shipment.dispatched_at,
        location=str(shipment.warehouse),
        recorded_by=actor_or_none(actor),
    )
    events.record(
        actor=actor,
        verb=verbs.SHIPMENT_DISPATCHED.code,
        target=shipment,
        data={"order": order.number, "invoice": shipment.invoice.number if shipment.invoice_id else ""},
        notify=people_to_tell(order),
    )


def shipment_dispatch(*, actor: User | None, shipment: Shipment) -> Shipment:
    """The goods leave: the stock goes out of the warehouse and what shipped is invoiced. Twice at once
    dispatches once; the second is refused as an invalid move."""
    require_shipper(actor, shipment.dealer_id)
    with transaction.atomic():
        order = lock_order(shipment.order)
        locked = lock_shipment(shipment)
        _dispatch(actor, order, locked)
    return locked


def shipment_cancel(*, actor: User | None, shipment: Shipment, reason: str) -> Shipment:
    """Cancel a planned shipment: its quantities are left to plan again (the order keeps them reserved)."""
    reason = required_reason(reason)
    require_shipper(actor, shipment.dealer_id)
    with transaction.atomic():
        lock_order(shipment.order)
        locked = lock_shipment(shipment)
        shipment_move(locked, St.CANCELLED)
        locked.cancelled_at = timezone.now()
        locked.save()
        if locked.replaces_id:
            _reopen_claim(actor, locked, reason)
        events.record(actor=actor, verb=verbs.SHIPMENT_CANCELLED.code, target=locked, data={"reason": reason})
    return locked


def _reopen_claim(actor: User | None, replacement: Shipment, reason: str) -> None:
    """A replacement cancelled before it left: its claim waits for head office's decision again, and the dealer,
    told the goods were coming, is told they are not."""
    reopened = DeliveryClaim.objects.filter(pk=replacement.replaces_id, status=DeliveryClaim.Status.RESHIPPED).update(
        status=DeliveryClaim.Status.OPEN, resolved_at=None, resolved_by=None, resolution_reason=""
    )
    if reopened:
        claim = DeliveryClaim.objects.select_related("dealer").get(pk=replacement.replaces_id)
        events.record(
            actor=actor,
            verb=verbs.CLAIM_REOPENED.code,
            target=claim,
            data={"shipment": replacement.number, "reason": reason},
            notify=dealer_admins(claim.dealer),
        )


def _received(shipment: Shipment, received) -> list[ShipmentLine]:
    """The shipment's lines with ``quantity_received`` set: everything when ``received`` is None, else per
    product as given (a product not named arrived in full)."""
    lines = list(shipment.lines.select_related("product", "order_line"))
    if received is None:
        received = {}
    by_product = {line.product_id: line for line in lines}
    problems = []
    for product, quantity in received.items():
        product_id = getattr(product, "pk", product)
        line = by_product.get(product_id)
        if line is None or quantity is None or not 0 <= quantity <= line.quantity:
            problems.append({"product": product_id, "shipped": line.quantity if line else 0})
        else:
            line.quantity_received = quantity
    if problems:
        raise RuleViolation(
            _("A received quantity must be between zero and what was shipped."),
            code="invalid_received",
            field="lines",
            data={"lines": problems},
        )
    for line in lines:
        if line.quantity_received is None:
            line.quantity_received = line.quantity
    return lines


def _finish_order_if_delivered(actor: User | None, order: Order) -> None:
    """The order is delivered once it has shipped in full and each of its shipments has arrived."""
    if order.status != Order.Status.SHIPPED:
        return
    on_the_way = (St.PLANNED, St.IN_TRANSIT, St.EXCEPTION)
    if Shipment.objects.filter(order=order, status__in=on_the_way, replaces__isnull=True).exists():
        return
    order.status = orders.order_delivered(actor=actor, order=order).status


def _deliver(
    actor: User | None,
    order: Order,
    shipment: Shipment,
    *,
    received=None,
    received_by: str = "",
    note: str = "",
    latitude=None,
    longitude=None,
    occurred_at=None,
    photo=None,
) -> None:
    shipment_move(shipment, St.DELIVERED)
    lines = _received(shipment, received)
    ShipmentLine.objects.bulk_update(lines, ["quantity_received"])
    now = timezone.now()
    shipment.delivered_at = min(occurred_at or now, now)
    shipment.received_by = (received_by or "").strip()[:100]
    shipment.delivery_note = (note or "").strip()[:1000]
    shipment.delivery_latitude, shipment.delivery_longitude = latitude, longitude
    shipment.delivery_recorded_by = actor_or_none(actor)
    if photo is not None:
        checked = check_upload(photo)
        shipment.delivery_photo_type, shipment.delivery_photo_sha256 = checked.content_type, checked.sha256
        shipment.delivery_photo.save(uuid.uuid4().hex, ContentFile(photo.read()), save=False)
    shipment.save()
    claim = shortage_claim_open(actor=actor, shipment=shipment, lines=lines)
    short = [
        {"sku": line.product.sku, "shipped": line.quantity, "received": line.quantity_received}
        for line in lines
        if line.shortage
    ]
    if occurred_at is None:
        TrackingEvent.objects.create(
            shipment=shipment,
            status=Kind.DELIVERED,
            occurred_at=shipment.delivered_at,
            latitude=latitude,
            longitude=longitude,
            note=shipment.delivery_note[:500],
            recorded_by=actor_or_none(actor),
        )
    events.record(
        actor=actor,
        verb=verbs.SHIPMENT_DELIVERED.code,
        target=shipment,
        data={"order": order.number, "short": short, "claim": claim.number if claim else ""},
        notify=people_to_tell(order),
    )
    _finish_order_if_delivered(actor, order)


def shipment_deliver(
    *,
    actor: User | None,
    shipment: Shipment,
    received=None,
    received_by: str = "",
    note: str = "",
    latitude=None,
    longitude=None,
    photo=None,
) -> Shipment:
    """Record receipt (proof of delivery): what arrived of each line (``received`` by product; all of it when
    not given), who took it, where. The dealer signs for its own shipments; the order desk or a driver records
    it for any shipment in their scope, each with a photo of the signed delivery note (签收单) when they have one. The
    last shipment to arrive delivers the order."""
    require_receiver(actor, shipment)
    with transaction.atomic():
        order = lock_order(shipment.order)
        locked = lock_shipment(shipment)
        _deliver(
            actor,
            order,
            locked,
            received=received,
            received_by=received_by,
            note=note,
            latitude=latitude,
            longitude=longitude,
            photo=photo,
        )
    return locked


def shipment_track(
    *,
    actor: User | None,
    shipment: Shipment,
    status: str,
    occurred_at,
    location: str = "",
    latitude=None,
    longitude=None,
    note: str = "",
    external_id: str = "",
) -> tuple[TrackingEvent, bool]:
    """Add a step to a dispatched shipment's journey; returns (event, created). The same ``external_id`` again
    answers the event already recorded. An event that happened before the latest one is placed in its turn
    and leaves the status to the latest; ``delivered`` records the shipment delivered in full; ``delayed`` tells
    the dealer."""
    require_shipper(actor, shipment.dealer_id)
    if status not in Kind.values or status == Kind.DISPATCHED:
        raise RuleViolation(_("Unknown tracking status."), code="invalid_status", field="status")
    external_id = (external_id or "").strip()
    now = timezone.now()
    if occurred_at > now + timedelta(minutes=5):
        raise RuleViolation(_("A tracking event cannot happen in the future."), code="in_future", field="occurred_at")
    with transaction.atomic():
        order = lock_order(shipment.order)
        locked = lock_shipment(shipment)
        if external_id:
            seen = TrackingEvent.objects.filter(shipment=locked, external_id=external_id).first()
            if seen is not None:
                return seen, False
        if locked.status in (St.PLANNED, St.CANCELLED):
            raise RuleViolation(_("Only a dispatched shipment can be tracked."), code="not_dispatched", field="status")
        latest = locked.tracking.order_by("-occurred_at", "-id").values_list("occurred_at", flat=True).first()
        try:
            with transaction.atomic():
                event = TrackingEvent.objects.create(
                    shipment=locked,
                    status=status,
                    occurred_at=occurred_at,
                    location=(location or "").strip()[:200],
                    latitude=latitude,
                    longitude=longitude,
                    note=(note or "").strip()[:500],
                    external_id=external_id,
                    recorded_by=actor_or_none(actor),
                )
        except IntegrityError:
            return TrackingEvent.objects.get(shipment=locked, external_id=external_id), False
        is_latest = latest is None or occurred_at >= latest
        if locked.status != St.DELIVERED:
            if status == Kind.DELIVERED:
                _deliver(actor, order, locked, latitude=latitude, longitude=longitude, occurred_at=occurred_at)
            elif is_latest and EVENT_STATUS.get(status, locked.status) != locked.status:
                shipment_move(locked, EVENT_STATUS[status])
                locked.save(update_fields=["status"])
        if status in (Kind.DELAYED, Kind.EXCEPTION) and is_latest:
            events.record(
                actor=actor,
                verb=verbs.SHIPMENT_DELAYED.code,
                target=locked,
                data={"status": status, "note": event.note, "location": event.location},
                notify=people_to_tell(order),
            )
    return event, True


def order_ship_rest(*, actor: User | None, order: Order) -> Order:
    """Ship everything of the order that has not left yet: its planned shipments are dispatched, and the rest
    goes as one more shipment from each warehouse holding it."""
    require_shipper(actor, order.dealer_id)
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status not in orders.SHIPPABLE:
            raise InvalidTransition(current=locked.get_status_display(), target=Order.Status.SHIPPED.label)
        # The order's own shipments; a replacement for a claim leaves on its own, from free stock.
        for shipment in locked.shipments.filter(status=St.PLANNED, replaces__isnull=True).order_by("pk"):
            _dispatch(actor, locked, lock_shipment(shipment))
        for warehouse, _left in left_by_warehouse(order=locked):
            shipment = shipment_create(actor=actor, order=locked, warehouse=warehouse)
            _dispatch(actor, locked, lock_shipment(shipment))
    locked.refresh_from_db()
    return locked


def order_deliver_all(*, actor: User | None, order: Order) -> Order:
    """Everything of a shipped order arrived in full: each shipment still on its way is recorded delivered."""
    with transaction.atomic():
        locked = lock_order(order)
        if actor is not None and actor.is_dealer_user:
            if actor.dealer_id != locked.dealer_id:
                raise PermissionDeniedError()
        else:
            require_shipper(actor, locked.dealer_id)
        if locked.status != Order.Status.SHIPPED:
            raise InvalidTransition(current=locked.get_status_display(), target=Order.Status.DELIVERED.label)
        on_the_way = locked.shipments.filter(status__in=(St.IN_TRANSIT, St.EXCEPTION)).order_by("pk")
        for shipment in on_the_way:
            _deliver(actor, locked, lock_shipment(shipment))
        # An order shipped before it had shipments has none on the way and is delivered here.
        _finish_order_if_delivered(actor, locked)
    locked.refresh_from_db()
    return locked
