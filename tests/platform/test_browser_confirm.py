"""Destructive actions ask first, in a Bootstrap modal naming the object: going back leaves it as it was,
confirming performs the action."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from orders import services
from orders.models import Order
from tests.factories.orders import ProductFactory, ProductLineFactory, WarehouseFactory, authorize, credit, stock
from tests.platform.conftest import PHONE, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def kitchen(dealer_admin):
    dealer = dealer_admin.dealer
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    warehouse = WarehouseFactory(code="HZ", name="杭州仓")
    kettle = ProductFactory(sku="KT-1700", name="不锈钢电水壶", name_en="Steel kettle", product_line=line)
    oven = ProductFactory(sku="OV-3200", name="嵌入式烤箱", name_en="Built-in oven", product_line=line)
    for product in (kettle, oven):
        stock(product, warehouse, 200)
    authorize(dealer, line)
    credit(dealer, "100000.00", warehouse=warehouse)
    return {"kettle": kettle, "oven": oven}


def test_removing_a_cart_line_asks_first(make_page, live_server, dealer_admin, kitchen):
    cart = services.order_create(
        actor=dealer_admin,
        dealer=dealer_admin.dealer,
        lines=[{"product": kitchen["kettle"], "quantity": 1}, {"product": kitchen["oven"], "quantity": 1}],
    )
    page = make_page(viewport=PHONE)
    sign_in(page, live_server, dealer_admin)
    page.goto(f"{live_server.url}{reverse('portal:cart')}")
    lines = page.get_by_test_id("cart-line")
    expect(lines).to_have_count(2)

    modal = page.get_by_test_id("confirm-modal")
    lines.filter(has_text="OV-3200").get_by_test_id("remove-line").click()
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("嵌入式烤箱")
    page.get_by_test_id("confirm-no").click()
    expect(modal).to_be_hidden()
    expect(lines).to_have_count(2)
    assert cart.lines.count() == 2

    lines.filter(has_text="OV-3200").get_by_test_id("remove-line").click()
    page.get_by_test_id("confirm-yes").click()
    expect(lines).to_have_count(1)
    assert [line.product.sku for line in cart.lines.select_related("product")] == ["KT-1700"]


def test_cancelling_an_order_asks_first_and_names_it(make_page, live_server, hq_admin, dealer_admin, kitchen):
    order = services.order_create(
        actor=hq_admin, dealer=dealer_admin.dealer, lines=[{"product": kitchen["kettle"], "quantity": 2}]
    )
    page = make_page(locale="en-US")
    sign_in(page, live_server, hq_admin)
    page.goto(f"{live_server.url}{reverse('orders:detail', args=[order.pk])}")
    page.locator('[data-bs-target="#cancel-order"]').click()
    page.locator('#cancel-order textarea[name="reason"], #cancel-order input[name="reason"]').fill("Ordered twice")

    modal = page.get_by_test_id("confirm-modal")
    page.get_by_test_id("cancel-order").click()
    expect(modal).to_be_visible()
    expect(modal).to_contain_text(f"Cancel order {order.number}?")
    page.get_by_test_id("confirm-no").click()
    expect(modal).to_be_hidden()
    order.refresh_from_db()
    assert order.status == Order.Status.DRAFT

    page.get_by_test_id("cancel-order").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("cancel-order")).to_have_count(0)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.decision_reason == "Ordered twice"
