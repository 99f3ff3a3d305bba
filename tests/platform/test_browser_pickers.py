"""Type-ahead pickers in a real browser: two letters typed into the dealer picker offer the matching dealers,
the one chosen is submitted; a list filter keeps the chosen dealer's name; the public pages' pickers search
in the page, carry the brand and never scroll sideways on a phone."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests.factories import region
from tests.factories.orders import ProductLineFactory
from tests.platform.conftest import PHONE, screenshots, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


shot = screenshots("pickers")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def pick(page, field: str, typed: str, option: str):
    """Type into the picker that replaced ``<select name=field>`` and click the offered ``option``."""
    page.locator(f'select[name="{field}"] + .ts-wrapper .ts-control').click()
    page.keyboard.type(typed)
    choice = page.locator(".ts-dropdown .option", has_text=option)
    expect(choice).to_be_visible()
    return choice


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1366", "375"])
def test_two_letters_find_the_dealer_and_the_order_is_made_for_it(
    make_page, live_server, hq_admin, dealer_one, dealer_two, viewport
):
    page = make_page(**({"viewport": viewport} if viewport else {}))
    sign_in(page, live_server, hq_admin)
    page.goto(f"{live_server.url}/hq/orders/new/")
    choice = pick(page, "dealer", "广州", "D00002 广州二号经销商")
    expect(page.locator(".ts-dropdown .option", has_text="D00001")).to_have_count(0)
    no_sideways_scroll(page)
    shot(page, f"order-new-{'375' if viewport else '1366'}")
    choice.click()
    page.get_by_role("button", name="创建草稿").click()

    expect(page).to_have_url(re.compile(r"/hq/orders/\d+/$"))
    expect(page.get_by_role("main")).to_contain_text("广州二号经销商")
    assert Order.objects.get().dealer == dealer_two


def test_a_list_filter_applies_the_chosen_dealer_and_names_it_after_the_reload(
    make_page, live_server, hq_admin, dealer_one, dealer_two
):
    page = make_page()
    sign_in(page, live_server, hq_admin)
    page.goto(f"{live_server.url}/hq/payments/")
    pick(page, "dealer", "杭州", "D00001 杭州一号经销商").click()
    page.get_by_test_id("apply-filters").click()

    expect(page).to_have_url(re.compile(rf"/hq/payments/\?.*\bdealer={dealer_one.pk}(&|$)"))
    expect(page.locator("table")).to_be_visible()
    wrapper = page.locator('select[name="dealer"] + .ts-wrapper')
    expect(wrapper.locator(".item")).to_have_text("D00001 杭州一号经销商")
    shot(page, "payments-filter-1366")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["1366", "375"])
def test_the_enquiry_page_searches_regions_in_the_page(make_page, live_server, settings, viewport):
    settings.BRAND_NAME = "好家电"
    ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    region("330100")  # a transactional test may start with the region tree flushed
    page = make_page(**({"viewport": viewport} if viewport else {}))
    page.goto(f"{live_server.url}/enquiry/")
    expect(page.get_by_test_id("brand")).to_have_text("好家电")
    expect(page.get_by_role("link", name="登录")).to_have_count(0)
    pick(page, "region", "杭州", "浙江省 · 杭州市").click()
    expect(page.locator('select[name="region"] option:checked')).to_have_text("浙江省 · 杭州市")
    no_sideways_scroll(page)
    shot(page, f"enquiry-{'375' if viewport else '1366'}")
