"""Event kinds of the orders app."""

from django.utils.translation import gettext_lazy as _

from dms.events.verbs import register

ORDER_CREATED = register(
    "orders.order_created", label=_("Order created"), sentence=_("%(actor)s created the order %(target)s")
)
ORDER_CHANGED = register(
    "orders.order_changed", label=_("Order changed"), sentence=_("%(actor)s changed the order %(target)s")
)
ORDER_SUBMITTED = register(
    "orders.order_submitted", label=_("Order submitted"), sentence=_("%(actor)s submitted the order %(target)s")
)
ORDER_PENDING = register(
    "orders.order_pending_approval",
    label=_("Order waiting for approval"),
    sentence=_("The order %(target)s is waiting for head office's approval"),
    notifies=True,
)
ORDER_APPROVED = register(
    "orders.order_approved",
    label=_("Order approved"),
    sentence=_("%(actor)s approved the order %(target)s"),
    notifies=True,
)
ORDER_REJECTED = register(
    "orders.order_rejected",
    label=_("Order rejected"),
    sentence=_("%(actor)s rejected the order %(target)s"),
    notifies=True,
)
ORDER_CANCELLED = register(
    "orders.order_cancelled",
    label=_("Order cancelled"),
    sentence=_("%(actor)s cancelled the order %(target)s"),
    notifies=True,
)
ORDER_EXPIRED = register(
    "orders.order_expired",
    label=_("Order approval timed out"),
    sentence=_("The order %(target)s waited too long for approval: its stock was released and it is a draft again"),
    notifies=True,
)
# The dealer hears of each shipment as it leaves (logistics), not of the order's status following it.
ORDER_SHIPPED = register(
    "orders.order_shipped", label=_("Order shipped"), sentence=_("%(actor)s shipped the order %(target)s")
)
ORDER_PARTIALLY_SHIPPED = register(
    "orders.order_partially_shipped",
    label=_("Order partly shipped"),
    sentence=_("%(actor)s shipped part of the order %(target)s"),
)
ORDER_DELIVERED = register(
    "orders.order_delivered", label=_("Order delivered"), sentence=_("%(actor)s confirmed delivery of %(target)s")
)
ORDER_COMPLETED = register(
    "orders.order_completed", label=_("Order completed"), sentence=_("The order %(target)s is delivered and paid")
)
STOCK_ADJUSTED = register(
    "orders.stock_adjusted", label=_("Stock adjusted"), sentence=_("%(actor)s adjusted the stock of %(target)s")
)
STOCK_IMPORTED = register(
    "orders.stock_imported", label=_("Stock imported"), sentence=_("%(actor)s imported stock counts into %(target)s")
)
CREDIT_LIMIT_CHANGED = register(
    "orders.credit_limit_changed",
    label=_("Credit limit changed"),
    sentence=_("%(actor)s changed the credit limit of %(target)s"),
    notifies=True,
)
PAYMENT_RECORDED = register(
    "orders.payment_recorded",
    label=_("Payment recorded"),
    sentence=_("%(actor)s recorded a payment %(target)s"),
    notifies=True,
)
INVOICE_ISSUED = register(
    "orders.invoice_issued", label=_("Invoice issued"), sentence=_("%(actor)s issued the invoice %(target)s")
)
CATALOGUE_CHANGED = register(
    "orders.catalogue_changed", label=_("Catalogue changed"), sentence=_("%(actor)s changed %(target)s")
)
AUTHORIZATION_CHANGED = register(
    "orders.authorization_changed",
    label=_("Authorisation changed"),
    sentence=_("%(actor)s changed the authorisation %(target)s"),
)
