"""Bulk approval in a real browser: the order desk ticks two orders in the approval queue, approves them
together, reads a result per order, and the approved orders leave the queue; the bar fits a phone."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders import services
from orders.models import Order
from tests.factories.orders import ProductFactory, ProductLineFactory, WarehouseFactory, authorize, credit, grant, stock
from tests.platform.conftest import PHONE, screenshots, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


shot = screenshots("bulk")


@pytest.fixture
def waiting(settings, hq_admin, dealer_one, dealer_two):
    """Three orders waiting for approval: two of dealer 1 for their size, one of dealer 2 past its credit."""
    settings.DMS_ORDER_APPROVAL_AMOUNT = Decimal("50.00")
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    warehouse = WarehouseFactory(code="HZ", name="杭州仓")
    kettle = ProductFactory(sku="KT-1700", name="不锈钢电水壶", name_en="Steel kettle", product_line=line)
    stock(kettle, warehouse, 100)
    for dealer, limit in ((dealer_one, "100000.00"), (dealer_two, "1.00")):
        authorize(dealer, line)
        credit(dealer, limit, warehouse=warehouse)
    orders = []
    for dealer in (dealer_one, dealer_one, dealer_two):
        order = services.order_create(actor=hq_admin, dealer=dealer, lines=[{"product": kettle, "quantity": 1}])
        orders.append(services.order_submit(actor=hq_admin, order=order))
    assert {order.status for order in orders} == {Order.Status.PENDING_APPROVAL}
    return orders


def test_the_order_desk_approves_two_ticked_orders_at_once(make_page, live_server, hq_staff, waiting):
    grant(hq_staff, "approve_order")
    first, second, over = waiting
    page = make_page(locale="en-US")
    sign_in(page, live_server, hq_staff)
    page.goto(f"{live_server.url}/hq/orders/approvals/")
    bar = page.get_by_test_id("bulk-bar")
    expect(bar.get_by_test_id("bulk-count")).to_have_text("0 selected")
    expect(bar.get_by_test_id("bulk-approve")).to_be_disabled()

    for order in (first, second):
        page.get_by_test_id("queue-item").filter(has_text=order.number).get_by_test_id("select-row").check()
    expect(bar.get_by_test_id("bulk-count")).to_have_text("2 selected")
    expect(bar.get_by_test_id("bulk-approve")).to_be_enabled()
    shot(page, "queue-ticked")
    bar.get_by_test_id("bulk-approve").click()

    results = page.get_by_test_id("bulk-results")
    expect(results).to_contain_text("2 of 2 rows done")
    rows = results.get_by_test_id("bulk-result")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(first.number)
    expect(rows.nth(0)).to_contain_text("Approved.")
    expect(rows.nth(1)).to_contain_text(second.number)
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    expect(page.get_by_test_id("queue-item")).to_contain_text(over.number)
    shot(page, "queue-results")
    assert [Order.objects.get(pk=order.pk).status for order in waiting] == [
        Order.Status.APPROVED,
        Order.Status.APPROVED,
        Order.Status.PENDING_APPROVAL,
    ]

    # On a phone: "select all on this page", then a refusal explained beside its order; nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    bar.get_by_test_id("select-page").check()
    expect(bar.get_by_test_id("bulk-count")).to_have_text("1 selected")
    bar.get_by_test_id("bulk-approve").click()
    refused = page.get_by_test_id("bulk-result")
    expect(refused).to_have_count(1)
    expect(refused).to_have_attribute("data-ok", "false")
    expect(refused).to_contain_text("credit override")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "queue-results-phone")
