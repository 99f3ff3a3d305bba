"""Form errors in a real browser: every error of a form at once, each beside its own field, and what the user
typed still in the inputs."""

import pytest
from playwright.sync_api import expect

from dealers.models import DealerApplication
from dealers.validators import PHONE_MESSAGE
from tests.factories import make_uscc, region

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def field(page, name: str):
    """The block of one field: its label, input, help text and the errors shown beside it."""
    return page.locator(".mb-3").filter(has=page.locator(f'[name="{name}"]'))


def test_the_application_shows_a_bad_phone_and_a_negative_capital_at_once_and_keeps_the_input(web_page, live_server):
    hangzhou = region("330100")
    page = web_page
    page.goto(f"{live_server.url}/apply/")
    form = page.get_by_test_id("apply-form")
    form.locator('[name="company_name"]').fill("浙江新锐电器")
    form.locator('[name="legal_name"]').fill("浙江新锐电器有限公司")
    form.locator('[name="uscc"]').fill(make_uscc(770002))
    form.locator('[name="registered_capital"]').fill("-10")
    form.locator('[name="founded_year"]').fill("2012")
    form.locator('[name="regions_wanted"]').select_option(value=str(hangzhou.pk))
    form.locator('[name="product_lines_wanted"]').fill("厨房电器")
    form.locator('[name="annual_revenue_band"]').select_option("20m-100m")
    form.locator('[name="contact_name"]').fill("赵敏")
    form.locator('[name="contact_phone"]').fill("12345")
    form.locator('[name="contact_email"]').fill("zhaomin@example.cn")
    page.get_by_test_id("apply-submit").click()

    form = page.get_by_test_id("apply-form")
    expect(field(page, "contact_phone").locator(".invalid-feedback")).to_have_text(str(PHONE_MESSAGE))
    expect(field(page, "registered_capital").locator(".invalid-feedback")).to_have_text("确保该值大于或等于0。")
    expect(form.locator(".invalid-feedback")).to_have_count(2)
    expect(form.locator('[name="company_name"]')).to_have_value("浙江新锐电器")
    expect(form.locator('[name="contact_phone"]')).to_have_value("12345")
    expect(form.locator('[name="registered_capital"]')).to_have_value("-10")
    expect(page.locator(".alert-danger")).to_have_count(0)
    assert not DealerApplication.objects.exists()
