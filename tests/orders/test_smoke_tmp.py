from datetime import date

from orders import services
from orders.models import Order, StockLevel
from tests.factories.orders import grant


def test_flow(shop, dealer_admin, hq_staff, dealer_one):
    order = services.order_create(actor=dealer_admin, dealer=dealer_one, lines=[{"product": shop.kettle, "quantity": 120}])
    order = services.order_submit(actor=dealer_admin, order=order)
    assert order.status == Order.Status.APPROVED, order.approval_reasons
    assert order.gross_amount == 12000
    assert order.number.startswith("SO-")
    levels = {l.warehouse.code: (l.on_hand, l.reserved) for l in StockLevel.objects.filter(product=shop.kettle)}
    assert levels == {"HZ": (100, 100), "SH": (50, 20)}
    grant(hq_staff, "ship_order", "record_payment")
    hq_staff.sees_all_without_regions = True
    services.order_ship(actor=hq_staff, order=order)
    levels = {l.warehouse.code: (l.on_hand, l.reserved) for l in StockLevel.objects.filter(product=shop.kettle)}
    assert levels == {"HZ": (0, 0), "SH": (30, 0)}
    order.refresh_from_db()
    assert order.invoice.gross_amount == 12000
    services.order_deliver(actor=dealer_admin, order=order)
    services.payment_record(actor=hq_staff, dealer=dealer_one, amount="15000", received_on=date.today(), reference="B1")
    order.refresh_from_db()
    assert order.status == "completed"
    order.invoice.refresh_from_db()
    assert order.invoice.status == "paid"
