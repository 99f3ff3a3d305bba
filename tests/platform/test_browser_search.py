"""The top bar's search in a real browser: "/" focuses it, the arrow keys and Enter open a result, Esc
closes the list, Enter without a chosen result opens the results page; on a phone the box opens from
its icon and the page never scrolls sideways."""

import pytest
from playwright.sync_api import expect

from dealers.services import contact_add
from orders import services
from tests.factories.orders import ProductFactory, ProductLineFactory, WarehouseFactory, authorize, credit, stock
from tests.platform.conftest import PHONE, screenshots, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


shot = screenshots("search")


@pytest.fixture
def order(hq_admin, dealer_one):
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    warehouse = WarehouseFactory(code="HZ", name="杭州仓")
    kettle = ProductFactory(sku="KT-1700", name="不锈钢电水壶", name_en="Steel kettle", product_line=line)
    stock(kettle, warehouse, 100)
    authorize(dealer_one, line)
    credit(dealer_one, "100000.00", warehouse=warehouse)
    contact_add(actor=hq_admin, dealer=dealer_one, name="王经理", phone="13800001111")
    draft = services.order_create(actor=hq_admin, dealer=dealer_one, lines=[{"product": kettle, "quantity": 2}])
    return services.order_submit(actor=hq_admin, order=draft)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_slash_then_arrows_and_enter_open_an_order(make_page, live_server, hq_admin, order):
    page = make_page()
    sign_in(page, live_server, hq_admin)
    expect(page).to_have_url(f"{live_server.url}/hq/")
    box = page.get_by_test_id("search-input")
    page.wait_for_load_state()  # the "/" shortcut listens once the page's scripts have run
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type(order.number)
    items = page.get_by_test_id("search-item")
    expect(items.first).to_contain_text(order.number)
    expect(page.get_by_test_id("search-menu")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(items.first).to_have_class("dropdown-item dms-search-item active")
    shot(page, "dropdown-1366")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/hq/orders/{order.pk}/")


def test_esc_closes_the_list_and_enter_opens_the_results_page(make_page, live_server, hq_admin, dealer_one, order):
    page = make_page()
    sign_in(page, live_server, hq_admin)
    expect(page).to_have_url(f"{live_server.url}/hq/")
    box = page.get_by_test_id("search-input")
    box.click()
    box.fill("王经理")
    expect(page.get_by_test_id("search-item").first).to_contain_text(dealer_one.name)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("search-menu")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/hq/search/?q=%E7%8E%8B%E7%BB%8F%E7%90%86")
    expect(page.get_by_test_id("search-result")).to_have_count(1)
    shot(page, "results-1366")
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    shot(page, "results-375")


def test_on_a_phone_the_search_opens_from_its_icon(make_page, live_server, hq_admin, order):
    page = make_page(viewport=PHONE)
    sign_in(page, live_server, hq_admin)
    expect(page).to_have_url(f"{live_server.url}/hq/")
    box = page.get_by_test_id("search-input")
    expect(box).to_be_hidden()
    no_sideways_scroll(page)
    shot(page, "closed-375")
    page.get_by_test_id("search-toggle").click()
    expect(box).to_be_focused()
    box.fill("KT-17")
    expect(page.get_by_test_id("search-item").first).to_contain_text("KT-1700")
    no_sideways_scroll(page)
    shot(page, "dropdown-375")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()


def test_a_dealer_searches_its_own_orders_in_the_portal(make_page, live_server, dealer_admin, order):
    page = make_page()
    sign_in(page, live_server, dealer_admin)
    expect(page).to_have_url(f"{live_server.url}/portal/")
    expect(page.get_by_test_id("search-input")).to_be_hidden()
    shot(page, "portal-closed-1366")
    page.wait_for_load_state()  # the "/" shortcut listens once the page's scripts have run
    page.keyboard.press("/")
    page.keyboard.type(order.number[:8])
    expect(page.get_by_test_id("search-item").first).to_contain_text(order.number)
    shot(page, "portal-1366")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/portal/orders/{order.pk}/")
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    page.get_by_test_id("search-toggle").click()
    page.keyboard.type("KT-1700")
    expect(page.get_by_test_id("search-item").first).to_contain_text("KT-1700")
    no_sideways_scroll(page)
    shot(page, "portal-375")
