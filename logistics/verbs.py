"""Event kinds of the logistics app."""

from django.utils.translation import gettext_lazy as _

from dms.events.verbs import register
from dms.templatetags.money import cny

FLEET_CHANGED = register(
    "logistics.fleet_changed", label=_("Carriers or fleet changed"), sentence=_("%(actor)s changed %(target)s")
)
SHIPMENT_PLANNED = register(
    "logistics.shipment_planned", label=_("Shipment planned"), sentence=_("%(actor)s planned the shipment %(target)s")
)
SHIPMENT_DISPATCHED = register(
    "logistics.shipment_dispatched",
    label=_("Shipment dispatched"),
    sentence=_("%(actor)s dispatched the shipment %(target)s"),
    notifies=True,
)
SHIPMENT_DELAYED = register(
    "logistics.shipment_delayed",
    label=_("Shipment delayed"),
    sentence=_("The shipment %(target)s is delayed or held up"),
    notifies=True,
)
SHIPMENT_DELIVERED = register(
    "logistics.shipment_delivered",
    label=_("Shipment delivered"),
    sentence=_("%(actor)s recorded delivery of the shipment %(target)s"),
    notifies=True,
)
SHIPMENT_CANCELLED = register(
    "logistics.shipment_cancelled",
    label=_("Shipment cancelled"),
    sentence=_("%(actor)s cancelled the shipment %(target)s"),
)
CLAIM_OPENED = register(
    "logistics.claim_opened",
    label=_("Delivery claim opened"),
    sentence=_("%(actor)s reported goods missing or damaged: claim %(target)s"),
    notifies=True,
)
CLAIM_RESOLVED = register(
    "logistics.claim_resolved",
    label=_("Delivery claim decided"),
    sentence=_("%(actor)s decided the delivery claim %(target)s"),
    notifies=True,
)
CLAIM_REOPENED = register(
    "logistics.claim_reopened",
    label=_("Delivery claim open again"),
    sentence=_("%(actor)s cancelled the replacement for the claim %(target)s: it waits for a decision again"),
    notifies=True,
)
PLAN_REQUESTED = register(
    "logistics.plan_requested",
    label=_("Delivery plan requested"),
    sentence=_("%(actor)s asked for the delivery plan %(target)s"),
)
PLAN_READY = register(
    "logistics.plan_ready",
    label=_("Delivery plan ready"),
    sentence=_("The delivery plan %(target)s is ready to review"),
    notifies=True,
)
PLAN_CHANGED = register(
    "logistics.plan_changed",
    label=_("Delivery plan changed"),
    sentence=_("%(actor)s changed the delivery plan %(target)s"),
)
PLAN_DISPATCHED = register(
    "logistics.plan_dispatched",
    label=_("Delivery plan dispatched"),
    sentence=_("%(actor)s dispatched the delivery plan %(target)s"),
)
FREIGHT_CHARGED = register(
    "logistics.freight_charged",
    label=_("Carrier's charge recorded"),
    sentence=_("%(actor)s recorded the carrier's charge of %(amount)s for the shipment %(target)s"),
    values=lambda data: {"amount": cny(data.get("amount"))},
)
