"""The shipments panel on an order's page: at head office with the way to plan the next one, in the portal with
each shipment's journey and the form to record what arrived."""

from django.urls import reverse

from logistics import forms, selectors
from logistics.models import Shipment
from orders import panels
from orders import services as orders


def _hq(*, user, order):
    shipments = selectors.order_shipments(order=order)
    can_plan = order.status in orders.SHIPPABLE and orders.can(user, "ship_order")
    if not shipments and not can_plan:
        return None
    return {
        "order": order,
        "shipments": shipments,
        "can_plan": can_plan,
        "plan_url": reverse("logistics:shipment_plan", args=[order.pk]),
    }


def _portal(*, user, order):
    shipments = selectors.order_shipments(order=order, with_tracking=True)
    if not shipments:
        return None
    for shipment in shipments:
        on_the_way = shipment.status in (Shipment.Status.IN_TRANSIT, Shipment.Status.EXCEPTION)
        shipment.receive_form = (
            forms.DeliveryForm(shipment=shipment, auto_id=f"receive-{shipment.pk}-%s") if on_the_way else None
        )
    return {"order": order, "shipments": shipments}


panels.register(
    panels.Panel(key="shipments", audience=panels.HQ, template="logistics/panels/hq_shipments.html", context=_hq)
)
panels.register(
    panels.Panel(
        key="shipments", audience=panels.PORTAL, template="logistics/panels/portal_shipments.html", context=_portal
    )
)
