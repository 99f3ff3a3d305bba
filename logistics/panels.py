"""The shipments panel on an order's page: at head office with the way to plan the next one, in the portal with
each shipment's journey and the form to record what arrived. Head office also reads the order's freight cost, on
the page and in the API's detail of the order."""

from django.urls import reverse

from logistics import forms, selectors
from logistics.api.shipments import OrderFreightSerializer
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


def _hq_freight(*, user, order):
    freight = selectors.order_freight(order=order)
    return None if freight is None else {"freight": freight}


def _api_freight(*, user, order):
    """What carrying the order costs is head office's to know, not the dealer's."""
    return selectors.order_freight(order=order) if user.is_hq else None


def _portal(*, user, order):
    shipments = selectors.order_shipments(order=order, with_tracking=True)
    if not shipments:
        return None
    for shipment in shipments:
        on_the_way = shipment.status in (Shipment.Status.IN_TRANSIT, Shipment.Status.EXCEPTION)
        shipment.receive_form = (
            forms.DeliveryForm(shipment=shipment, auto_id=f"receive-{shipment.pk}-%s") if on_the_way else None
        )
        delivered = shipment.status == Shipment.Status.DELIVERED
        shipment.claim_form = (
            forms.ClaimForm(shipment=shipment, auto_id=f"claim-{shipment.pk}-%s") if delivered else None
        )
    claims = selectors.order_claims(order=order)
    for shipment in shipments:
        shipment.claim_list = [claim for claim in claims if claim.shipment_id == shipment.pk]
    return {"order": order, "shipments": shipments}


panels.register(
    panels.Panel(key="shipments", audience=panels.HQ, template="logistics/panels/hq_shipments.html", context=_hq)
)
panels.register(
    panels.Panel(
        key="shipments", audience=panels.PORTAL, template="logistics/panels/portal_shipments.html", context=_portal
    )
)
panels.register(
    panels.Panel(
        key="freight", audience=panels.HQ, template="logistics/panels/hq_freight.html", context=_hq_freight, order=110
    )
)
panels.register_figures(panels.Figures(key="freight", serializer=OrderFreightSerializer, data=_api_freight))
