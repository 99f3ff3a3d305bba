"""Ordering in a real browser: a dealer searches the catalogue, fills the cart and submits; the order waits
for approval because it passes the credit limit; the order desk approves it with a reason; the dealer sees
it approved."""

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


shot = screenshots("orders")


@pytest.fixture
def catalogue(dealer_admin):
    dealer = dealer_admin.dealer
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    warehouse = WarehouseFactory(code="HZ", name="杭州仓")
    kettle = ProductFactory(sku="KT-1700", name="不锈钢电水壶", name_en="Steel kettle", product_line=line)
    oven = ProductFactory(
        sku="OV-3200", name="嵌入式烤箱", name_en="Built-in oven", product_line=line, base_price="1999.00", pack_size=2
    )
    for product in (kettle, oven):
        stock(product, warehouse, 200)
    authorize(dealer, line)
    credit(dealer, "3000.00", warehouse=warehouse)
    return {"kettle": kettle, "oven": oven}


def test_a_dealer_orders_past_its_credit_and_the_order_desk_approves(
    make_page, live_server, dealer_admin, hq_staff, catalogue
):
    grant(hq_staff, "approve_order", "approve_credit_override")
    dealer = make_page()
    sign_in(dealer, live_server, dealer_admin)
    expect(dealer).to_have_url(f"{live_server.url}/portal/")

    dealer.goto(f"{live_server.url}/portal/catalogue/")
    dealer.locator("#id_q").fill("烤箱")
    dealer.get_by_test_id("apply-filters").click()
    products = dealer.get_by_test_id("product")
    expect(products).to_have_count(1)
    oven = products.filter(has_text="OV-3200")
    expect(oven.get_by_test_id("price")).to_have_text("¥1,999.00")
    oven.locator('input[name="quantity"]').fill("2")
    oven.get_by_test_id("add-to-cart").click()

    dealer.goto(f"{live_server.url}/portal/catalogue/?q=KT-1700")
    kettle = dealer.get_by_test_id("product").filter(has_text="KT-1700")
    kettle.locator('input[name="quantity"]').fill("5")
    kettle.get_by_test_id("add-to-cart").click()

    dealer.goto(f"{live_server.url}/portal/cart/")
    expect(dealer.get_by_test_id("cart-line")).to_have_count(2)
    expect(dealer.get_by_test_id("cart-total")).to_contain_text("¥4,498.00")
    dealer.set_viewport_size(PHONE)
    shot(dealer, "cart-phone")
    dealer.get_by_test_id("submit-cart").click()

    status = dealer.get_by_test_id("order-status").first
    expect(status).to_have_attribute("data-status", "pending_approval")
    expect(dealer.get_by_test_id("approval-reasons")).to_contain_text("¥3,000.00")
    shot(dealer, "pending-phone")
    order = Order.objects.get(dealer=dealer_admin.dealer)
    assert order.status == Order.Status.PENDING_APPROVAL

    desk = make_page()
    sign_in(desk, live_server, hq_staff)
    desk.goto(f"{live_server.url}/hq/orders/approvals/")
    item = desk.get_by_test_id("queue-item").filter(has_text=order.number)
    expect(item.get_by_test_id("approval-reasons")).to_be_visible()
    expect(item.get_by_test_id("credit-position")).to_be_visible()
    expect(item.get_by_test_id("override-note")).to_be_visible()
    item.locator('textarea[name="reason"], input[name="reason"]').fill("老客户，本月回款已到账")
    shot(desk, "approval-queue")
    item.get_by_test_id("approve").click()
    expect(desk.get_by_test_id("queue-item").filter(has_text=order.number)).to_have_count(0)

    dealer.goto(f"{live_server.url}/portal/orders/{order.pk}/")
    expect(dealer.get_by_test_id("order-status").first).to_have_attribute("data-status", "approved")
    expect(dealer.get_by_test_id("status-steps")).to_be_visible()
    shot(dealer, "approved-phone")
    order.refresh_from_db()
    assert (order.status, order.credit_override, order.decided_by) == (Order.Status.APPROVED, True, hq_staff)


def test_a_dealer_clears_a_line_no_longer_authorised_and_orders_the_rest(
    make_page, live_server, dealer_admin, catalogue
):
    dealer = dealer_admin.dealer
    laundry = ProductLineFactory(code="laundry", name="洗衣机", name_en="Laundry")
    washer = ProductFactory(sku="WM-800", name="滚筒洗衣机", name_en="Front-loading washer", product_line=laundry)
    authorize(dealer, laundry)
    services.order_create(
        actor=dealer_admin,
        dealer=dealer,
        lines=[{"product": catalogue["kettle"], "quantity": 1}, {"product": washer, "quantity": 1}],
    )
    dealer.authorizations.filter(product_line=laundry).delete()

    page = make_page()
    sign_in(page, live_server, dealer_admin)
    page.goto(f"{live_server.url}/portal/cart/")
    stuck = page.get_by_test_id("cart-line").filter(has_text="WM-800")
    expect(stuck.get_by_test_id("line-note")).to_be_visible()

    quick = page.locator('form[action$="/cart/quick/"]')
    quick.locator('input[name="sku"]').fill("OV-3200")
    quick.locator('input[name="quantity"]').fill("2")
    page.get_by_test_id("quick-add").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(3)

    page.get_by_test_id("submit-cart").click()
    expect(page.get_by_role("alert").filter(has_text="WM-800 滚筒洗衣机")).to_be_visible()
    shot(page, "cart-line-not-authorised")

    page.get_by_test_id("cart-line").filter(has_text="WM-800").get_by_test_id("remove-line").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    page.get_by_test_id("submit-cart").click()
    expect(page.get_by_test_id("order-status").first).to_have_attribute("data-status", "pending_approval")
    order = Order.objects.get(dealer=dealer)
    assert sorted(line.product.sku for line in order.lines.select_related("product")) == ["KT-1700", "OV-3200"]
