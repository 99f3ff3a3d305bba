"""A lead's life in a real browser: a visitor asks on the public enquiry page; the lead is routed to the
dealer serving the city and lands in its inbox with a deadline counting down; the dealer accepts, logs a
follow-up and marks it won; head office sees it move through the funnel."""

import re

import pytest
from playwright.sync_api import expect

from leads.models import Assignment, Lead
from tests.factories import DealerFactory, region
from tests.factories.orders import ProductLineFactory, authorize
from tests.platform.conftest import PHONE, screenshots, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


shot = screenshots("leads")


@pytest.fixture
def routed(dealer_admin):
    """Kitchen appliances: dealer 1 serves 杭州; another dealer serves 广州 only."""
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen appliances")
    hangzhou = dealer_admin.dealer
    hangzhou.served_regions.set([region("330100")])
    authorize(hangzhou, line)
    guangzhou = DealerFactory(code="GZ01", region=region("440100"))
    guangzhou.served_regions.set([region("440100")])
    authorize(guangzhou, line)
    return line


def test_an_enquiry_reaches_the_dealer_who_wins_it_and_head_office_sees_the_funnel_move(
    make_page, live_server, dealer_admin, hq_staff, routed, fresh_cache
):
    hq = make_page()
    sign_in(hq, live_server, hq_staff)
    hq.goto(f"{live_server.url}/hq/leads/funnel/")
    expect(hq.get_by_test_id("received")).to_have_text("0")
    expect(hq.get_by_test_id("won")).to_have_text("0")

    visitor = make_page()
    visitor.set_viewport_size(PHONE)
    visitor.goto(f"{live_server.url}/enquiry/")
    form = visitor.get_by_test_id("enquiry-form")
    form.locator('[name="contact_name"]').fill("林女士")
    form.locator('[name="phone"]').fill("139 0571 2233")
    form.locator('[name="region"]').select_option(str(region("330100").pk))
    form.locator('[name="product_line"]').select_option(str(routed.pk))
    form.locator('[name="message"]').fill("新房装修，想要一套烟灶。")
    form.locator('[name="consent"]').check()
    shot(visitor, "enquiry-phone")
    visitor.get_by_test_id("enquiry-submit").click()
    expect(visitor).to_have_url(f"{live_server.url}/enquiry/thanks/")

    lead = Lead.objects.get()
    assert lead.phone == "13905712233"
    assignment = lead.assignments.get(status=Assignment.Status.OFFERED)
    assert assignment.dealer == dealer_admin.dealer, "the 杭州 dealer gets the 杭州 customer"

    dealer = make_page()
    sign_in(dealer, live_server, dealer_admin)
    dealer.goto(f"{live_server.url}/portal/leads/")
    offer = dealer.get_by_test_id("offer")
    expect(offer).to_have_count(1)
    expect(offer.get_by_test_id("message")).to_contain_text("新房装修")
    countdown = offer.locator("[data-deadline]").first
    first = countdown.inner_text()
    dealer.wait_for_timeout(1_200)
    assert countdown.inner_text() != first, "the deadline counts down"
    dealer.set_viewport_size(PHONE)
    shot(dealer, "inbox-phone")
    offer.get_by_test_id("accept").click()
    expect(dealer.get_by_test_id("inbox-empty")).to_be_visible()

    dealer.goto(f"{live_server.url}/portal/leads/{lead.pk}/")
    expect(dealer.get_by_text("13905712233")).to_be_visible()
    dealer.locator('[name="kind"]').select_option("call")
    dealer.locator('[name="note"]').fill("电话沟通，周六上门测量。")
    dealer.get_by_test_id("add-follow-up").click()
    expect(dealer.get_by_test_id("follow-up")).to_have_count(1)
    expect(dealer.get_by_test_id("lead-status")).to_have_attribute("data-status", "contacted")

    dealer.get_by_test_id("open-won").click()
    expect(dealer.locator("#won-form")).to_have_class(re.compile(r"\bshow\b"))  # opened, not still sliding open
    dealer.locator('#won-form [name="amount"]').fill("18600")
    dealer.get_by_test_id("mark-won").click()
    expect(dealer.get_by_test_id("lead-status")).to_have_attribute("data-status", "won")
    shot(dealer, "won-phone")
    lead.refresh_from_db()
    assert (lead.status, str(lead.won_amount)) == (Lead.Status.WON, "18600.00")

    fresh_cache()  # the funnel's figures are kept a minute; the test does not wait for them
    hq.reload()
    expect(hq.get_by_test_id("received")).to_have_text("1")
    expect(hq.get_by_test_id("won")).to_have_text("1")
    expect(hq.get_by_test_id("funnel-summary")).to_contain_text("¥18,600.00")
    shot(hq, "funnel")
