"""Objects of the orders app that the permission matrix's paths point at, all belonging to dealer 1.

The HQ administrator builds them: a shop dealer 1 is authorised for, a dealer price list, an order
waiting for approval (its credit limit is zero), and a shipped order with its invoice and a payment.
"""

import datetime

from orders import services
from orders.models import PriceList, StockLevel
from tests.factories.orders import (
    ProductFactory,
    ProductLineFactory,
    WarehouseFactory,
    authorize,
    credit,
    price_list,
    stock,
)


def orders_world(users) -> dict:
    admin = users["hq_admin"]
    dealer = users["dealer_admin"].dealer
    line = ProductLineFactory(code="matrix-line")
    warehouse = WarehouseFactory(code="MX")
    product = ProductFactory(sku="MX-1", product_line=line)
    authorize(dealer, line)
    stock(product, warehouse, 100)
    credit(dealer, "0.00", warehouse=warehouse)
    dealer_prices = price_list(items={product: "90.00"}, dealer=dealer)
    pending = services.order_create(
        actor=users["dealer_admin"], dealer=dealer, lines=[{"product": product, "quantity": 2}]
    )
    pending = services.order_submit(actor=users["dealer_admin"], order=pending)
    shipped = services.order_create(actor=admin, dealer=dealer, lines=[{"product": product, "quantity": 1}])
    shipped = services.order_submit(actor=admin, order=shipped)
    shipped = services.order_approve(actor=admin, order=shipped, reason="matrix")
    shipped = services.order_ship(actor=admin, order=shipped)
    payment = services.payment_record(
        actor=admin, dealer=dealer, amount="10.00", received_on=datetime.date.today(), reference="MX-PAY"
    )
    return {
        "product_line": line,
        "product": product,
        "warehouse": warehouse,
        "stock_level": StockLevel.objects.get(product=product, warehouse=warehouse),
        "authorization": dealer.authorizations.get(),
        "price_list": PriceList.objects.get(pk=dealer_prices.pk),
        "order": pending,
        "shipped_order": shipped,
        "invoice": shipped.invoices.get(),
        "payment": payment,
        "dealer": dealer,
    }
