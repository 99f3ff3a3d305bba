"""What every shipment service shares: the status table, who may ship and receive, the locks in their order
(the order row, then the shipment), and when a shipment is wanted by default."""

from datetime import time

from django.utils import timezone

from dms.accounts.models import User
from dms.errors import InvalidTransition, PermissionDeniedError
from logistics.models import ReceivingWindow, Shipment
from orders import services as orders
from orders.models import Order
from orders.services.common import require_dealer_access

St = Shipment.Status

SHIPMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    St.PLANNED: frozenset({St.IN_TRANSIT, St.CANCELLED}),
    St.IN_TRANSIT: frozenset({St.DELIVERED, St.EXCEPTION}),
    St.EXCEPTION: frozenset({St.IN_TRANSIT, St.DELIVERED}),
    St.DELIVERED: frozenset(),
    St.CANCELLED: frozenset(),
}
DEFAULT_WINDOW = (time(9, 0), time(17, 0))


def shipment_move(shipment: Shipment, target: str) -> None:
    """The one place a shipment's status is assigned, checked against ``SHIPMENT_TRANSITIONS``."""
    if target not in SHIPMENT_TRANSITIONS[shipment.status]:
        raise InvalidTransition(current=shipment.get_status_display(), target=St(target).label)
    shipment.status = target


def require_shipper(actor: User | None, dealer_id: int) -> None:
    if not orders.can(actor, "ship_order"):
        raise PermissionDeniedError()
    require_dealer_access(actor, dealer_id)


def require_receiver(actor: User | None, shipment: Shipment) -> None:
    """A dealer signs for its own shipments; the order desk (or a driver) records delivery of any in its scope."""
    if actor is not None and actor.is_dealer_user:
        if actor.dealer_id != shipment.dealer_id:
            raise PermissionDeniedError()
        return
    require_shipper(actor, shipment.dealer_id)


def lock_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("dealer").get(pk=order.pk)


def lock_shipment(shipment: Shipment) -> Shipment:
    return (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("dealer", "warehouse", "carrier")
        .get(pk=shipment.pk)
    )


def shipment_defaults(order: Order) -> dict:
    """When a new shipment of the order is wanted and when the dealer takes deliveries, unless said otherwise:
    the day the order asked for (today at the earliest), and the dealer's receiving window or 09:00–17:00."""
    today = timezone.localdate()
    window = ReceivingWindow.objects.filter(dealer_id=order.dealer_id).first()
    opens, closes = (window.opens, window.closes) if window else DEFAULT_WINDOW
    requested = max(order.requested_delivery_date or today, today)
    return {"requested_date": requested, "window_opens": opens, "window_closes": closes}
