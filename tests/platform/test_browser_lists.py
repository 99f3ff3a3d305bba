"""Lists in a real browser: a column header sorts the rows, and at 1366 px the widest tables (aging by dealer
with its DSO, the credit page's recent payments, the lead list) show their last column without the page
scrolling sideways."""

import pytest
from playwright.sync_api import expect

from tests.factories import DealerFactory
from tests.leads import test_desk_views as lead_desk
from tests.orders.test_reports import issue_invoice, pay
from tests.platform.conftest import DESKTOP, sign_in

# Fixtures of the leads tests, used here too.
line = lead_desk.line
take = lead_desk.take

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

FITS = """(selector) => {
  const table = document.querySelector(selector);
  const last = table.querySelector('thead tr:first-child th:last-child');
  const box = (table.closest('.table-responsive') || table).getBoundingClientRect();
  const cell = last.getBoundingClientRect();
  return {
    page: document.documentElement.scrollWidth <= window.innerWidth,
    lastColumn: cell.width > 0 && cell.right <= box.right + 1 && cell.right <= window.innerWidth,
  };
}"""


def codes(page) -> list[str]:
    return page.locator("table.dms-table tbody tr td:first-child").all_inner_texts()


def test_clicking_a_column_header_sorts_the_list(live_server, web_page, hq_admin):
    for code, name in [("D00101", "Cobalt Trading"), ("D00102", "Amber Appliances"), ("D00103", "Birch Retail")]:
        DealerFactory(code=code, name=name)
    sign_in(web_page, live_server, hq_admin)
    web_page.goto(f"{live_server.url}/hq/dealers/")
    assert codes(web_page) == ["D00101", "D00102", "D00103"]

    web_page.locator('a.dms-sort[data-sort="name"]').click()
    expect(web_page.locator('th[aria-sort="ascending"] a[data-sort="name"]')).to_be_visible()
    assert codes(web_page) == ["D00102", "D00103", "D00101"]

    web_page.locator('a.dms-sort[data-sort="name"]').click()
    expect(web_page.locator('th[aria-sort="descending"] a[data-sort="name"]')).to_be_visible()
    assert codes(web_page) == ["D00101", "D00103", "D00102"]


def test_wide_tables_show_their_last_column_at_1366_px(live_server, make_page, hq_admin, shop, dealer_one, line):
    dealer_one.name = "浙江省杭州市西湖区顺发家用电器销售有限责任公司"
    dealer_one.save(update_fields=["name"])
    invoice = issue_invoice(dealer_one, shop.oven, 40, actor=hq_admin)
    pay(dealer_one, "1234.56", actor=hq_admin, on=invoice.issued_on, reference="ICBC2026120300000000001")
    take(line, n=1, company="浙江省杭州市西湖区某某某某某某科技股份有限公司", contact_name="欧阳某某某")
    page = make_page(viewport=DESKTOP)
    sign_in(page, live_server, hq_admin)

    for url, table in [
        ("/hq/aging/", '[data-testid="aging-dealers"]'),
        (f"/hq/credit/{dealer_one.pk}/", '[data-testid="recent-payments"]'),
        ("/hq/leads/", '[data-testid="lead-table"]'),
    ]:
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate(FITS, table) == {"page": True, "lastColumn": True}, url
    page.goto(f"{live_server.url}/hq/aging/")
    expect(page.locator('[data-testid="aging-dealers"] thead tr:first-child th').last).to_contain_text("DSO")
