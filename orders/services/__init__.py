"""Every change to orders, stock, invoices, payments and credit. One transaction each; an event for each.

Lock order, everywhere: order row → dealer's credit account → stock levels (by product, then
warehouse) → invoices and payments (oldest first). Following one order means two transactions
can wait for each other but never deadlock. The one exception: recording a payment locks, after
the account, the shipped or delivered orders whose invoices it paid; those orders are never the
ones a shipment (which locks an approved order, then the account) is waiting on.
"""

from orders.services.billing import (
    PaymentReferenceTaken,
    credit_limit_set,
    default_warehouse_set,
    payment_record,
    payments_record,
)
from orders.services.catalogue import (
    CATALOGUE_FIELDS,
    PRICE_LIST_FIELDS,
    PRODUCT_FIELDS,
    PRODUCT_LINE_FIELDS,
    WAREHOUSE_FIELDS,
    authorization_save,
    catalogue_save,
    price_list_save,
)
from orders.services.common import can, can_see_stock
from orders.services.ledger import CREDIT_BLOCKS, INVOICE_TRANSITIONS, credit_reasons, invoice_move
from orders.services.orders import (
    MAX_AMOUNT,
    MAX_LINES,
    MAX_QUANTITY,
    NOT_AUTHORIZED,
    ORDER_TRANSITIONS,
    TRADING,
    CreditOverrideRequired,
    LineProblem,
    line_amounts,
    line_problem,
    order_add_line,
    order_add_lines,
    order_approve,
    order_cancel,
    order_copy,
    order_create,
    order_deliver,
    order_move,
    order_reject,
    order_remove_line,
    order_set_quantity,
    order_ship,
    order_submit,
    order_update,
    orders_release_expired,
)
from orders.services.stock import MAX_ADJUSTMENT, MAX_STOCK, InsufficientStock, stock_adjust, stock_set_counts

__all__ = [
    "CATALOGUE_FIELDS",
    "CREDIT_BLOCKS",
    "INVOICE_TRANSITIONS",
    "MAX_ADJUSTMENT",
    "MAX_AMOUNT",
    "MAX_LINES",
    "MAX_QUANTITY",
    "MAX_STOCK",
    "NOT_AUTHORIZED",
    "ORDER_TRANSITIONS",
    "PRICE_LIST_FIELDS",
    "PRODUCT_FIELDS",
    "PRODUCT_LINE_FIELDS",
    "TRADING",
    "WAREHOUSE_FIELDS",
    "CreditOverrideRequired",
    "InsufficientStock",
    "LineProblem",
    "PaymentReferenceTaken",
    "authorization_save",
    "can",
    "can_see_stock",
    "catalogue_save",
    "credit_limit_set",
    "credit_reasons",
    "default_warehouse_set",
    "invoice_move",
    "line_amounts",
    "line_problem",
    "order_add_line",
    "order_add_lines",
    "order_approve",
    "order_cancel",
    "order_copy",
    "order_create",
    "order_deliver",
    "order_move",
    "order_reject",
    "order_remove_line",
    "order_set_quantity",
    "order_ship",
    "order_submit",
    "order_update",
    "orders_release_expired",
    "payment_record",
    "payments_record",
    "price_list_save",
    "stock_adjust",
    "stock_set_counts",
]
