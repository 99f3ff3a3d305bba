"""End-to-end onboarding in a real browser: a company applies on the public form, HQ scores and approves it,
the new dealer administrator sets a password, uploads the mandatory documents, and HQ verifies them."""

import re

import pytest
from playwright.sync_api import expect

from dealers.models import Dealer, DealerApplication, QualificationDocument
from tests.factories import DealerFactory, criteria, document_type, make_uscc, pdf_bytes, region
from tests.platform.conftest import DEFAULT_TIMEOUT_MS, DESKTOP, PHONE, RESULTS, screenshots, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

MANDATORY = {
    "business_licence": "营业执照",
    "authorisation_letter": "授权书",
    "dealer_contract": "经销合同",
}
COMPANY = "浙江新锐电器"
USCC = make_uscc(770001)
DEALER_PASSWORD = "Onboard-Lantern-2030!"


@pytest.fixture
def open_page(chromium_browser):
    """``open_page(**context_options)``: a page in a new context (zh-CN, desktop); all are closed at the end."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "zh-CN")
        options.setdefault("viewport", DESKTOP)
        context = chromium_browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    make.contexts = contexts
    yield make
    for context in contexts:
        context.close()


shot = screenshots("onboarding")


def test_company_applies_is_approved_uploads_documents_and_becomes_active(
    open_page, live_server, settings, hq_admin, tmp_path
):
    try:
        _onboarding_story(open_page, live_server, settings, hq_admin, tmp_path)
    except Exception:
        RESULTS.mkdir(exist_ok=True)
        for i, context in enumerate(open_page.contexts):
            for j, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(RESULTS / f"onboarding-FAILED-{i}-{j}.png"), full_page=True)
                except Exception as exc:  # a crashed page must not hide the test's own failure
                    print(f"screenshot failed: {exc}")
        raise


def _onboarding_story(open_page, live_server, settings, hq_admin, tmp_path):
    # The invitation link is built from the site's public address: here, the live server.
    settings.DMS_SITE_URL = live_server.url
    hangzhou = region("330100")
    scored = criteria()
    for code in MANDATORY:
        document_type(code)
    other = DealerFactory(name="隔壁别家经销商", legal_name="隔壁别家经销商有限公司")

    # 1. A prospect applies on the public form.
    prospect = open_page()
    prospect.goto(f"{live_server.url}/apply/")
    expect(prospect.locator("html")).to_have_attribute("lang", "zh-hans")
    form = prospect.get_by_test_id("apply-form")
    form.locator('[name="company_name"]').fill(COMPANY)
    form.locator('[name="legal_name"]').fill(f"{COMPANY}有限公司")
    form.locator('[name="uscc"]').fill(USCC)
    form.locator('[name="registered_capital"]').fill("800.00")
    form.locator('[name="founded_year"]').fill("2012")
    form.locator('[name="regions_wanted"]').select_option(value=str(hangzhou.pk))
    form.locator('[name="product_lines_wanted"]').fill("厨房电器、小家电")
    form.locator('[name="warehouse_area"]').fill("800")
    form.locator('[name="sales_team_size"]').fill("12")
    form.locator('[name="years_in_industry"]').fill("8")
    form.locator('[name="annual_revenue_band"]').select_option("20m-100m")
    form.locator('[name="contact_name"]').fill("赵敏")
    form.locator('[name="contact_phone"]').fill("13912345678")
    form.locator('[name="contact_email"]').fill("zhaomin@example.cn")
    shot(prospect, "apply-form")
    prospect.get_by_test_id("apply-submit").click()

    expect(prospect).to_have_url(re.compile(r"/apply/\d+/[^/]+/\?new=1$"))
    heading = prospect.locator("h1")
    expect(heading).to_have_text(re.compile(r"^申请 AP\d{6}$"))
    number = heading.inner_text().split()[-1]
    expect(prospect.get_by_test_id("application-status")).to_have_text("已提交")
    expect(prospect.locator("main")).to_contain_text(COMPANY)

    # 2. HQ reviews, scores and approves.
    hq = open_page()
    sign_in(hq, live_server, hq_admin)
    expect(hq).to_have_url(f"{live_server.url}/hq/")
    hq.goto(f"{live_server.url}/hq/dealers/applications/")
    hq.get_by_role("link", name=number, exact=True).click()
    expect(hq.locator("h1")).to_contain_text(COMPANY)
    hq.get_by_test_id("start-review").click()
    expect(hq.get_by_test_id("application-status")).to_have_text("审核中")
    for criterion in scored:
        hq.locator(f'select[name="score_{criterion.code}"]').select_option("4")
    hq.get_by_test_id("save-scores").click()
    expect(hq.get_by_test_id("score-total")).to_have_text("总分 80.0 / 100")
    shot(hq, "application-detail")
    hq.get_by_test_id("approve").click()
    expect(hq.get_by_test_id("application-status")).to_have_text("已通过")
    invitation = hq.get_by_test_id("invitation-link").locator("code").inner_text().strip()
    assert invitation.startswith(f"{live_server.url}/accounts/reset/")

    dealer = Dealer.objects.get(uscc=USCC)
    assert DealerApplication.objects.get(uscc=USCC).dealer == dealer
    assert dealer.status == Dealer.Status.ONBOARDING
    username = dealer.code.lower()

    # 3. The new dealer administrator sets a password and signs in to the portal.
    owner = open_page()
    owner.goto(invitation)
    expect(owner).to_have_url(re.compile(r"/accounts/reset/[^/]+/set-password/$"))
    expect(owner.locator("h1")).to_have_text("设置新密码")
    owner.locator('input[name="new_password1"]').fill(DEALER_PASSWORD)
    owner.locator('input[name="new_password2"]').fill(DEALER_PASSWORD)
    owner.locator('main form button[type="submit"]').click()
    expect(owner).to_have_url(f"{live_server.url}/accounts/reset/done/")

    sign_in(owner, live_server, username, DEALER_PASSWORD)
    expect(owner).to_have_url(f"{live_server.url}/portal/")
    expect(owner.locator("main")).to_contain_text(dealer.name)
    expect(owner.locator("main")).to_contain_text(dealer.code)
    expect(owner.locator("main .dms-status")).to_have_text("准入中")
    assert other.name not in owner.content()

    # 4. They upload the three mandatory documents.
    owner.goto(f"{live_server.url}/portal/documents/")
    expect(owner.locator("main .alert-warning")).to_contain_text("开始合作前仍需提供：")
    for code, label in MANDATORY.items():
        path = tmp_path / f"{code}.pdf"
        path.write_bytes(pdf_bytes(code))
        upload = owner.locator('form[enctype="multipart/form-data"]')
        upload.locator('select[name="doc_type"]').select_option(label=label)
        upload.locator('input[name="file"]').set_input_files(path)
        upload.locator('input[name="number"]').fill(f"NO-{code}")
        upload.locator('input[name="expires_on"]').fill("2030-01-01")
        owner.get_by_test_id("upload-document").click()
        expect(owner.locator(".alert-success")).to_be_visible()
        expect(owner.locator("tr", has_text=label).locator(".badge")).to_have_text("待审核")
    expect(owner.locator(".dms-doc-pending")).to_have_count(3)
    # All mandatory types are on record now (waiting for review): the "still needed" warning stays, it counts
    # verified documents only.
    assert other.name not in owner.content()
    shot(owner, "portal-documents")
    owner.set_viewport_size(PHONE)
    shot(owner, "portal-documents-phone")
    assert owner.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 5. HQ verifies them; the dealer becomes active.
    hq.goto(f"{live_server.url}/hq/dealers/{dealer.pk}/")
    badge = hq.locator("h1 .dms-status")
    expect(badge).to_have_text("准入中")
    documents = list(QualificationDocument.objects.filter(dealer=dealer).order_by("pk"))
    assert len(documents) == 3
    for document in documents:
        hq.get_by_test_id(f"verify-{document.pk}").click()
        expect(hq.get_by_test_id(f"verify-{document.pk}")).to_have_count(0)
    expect(badge).to_have_text("合作中")
    expect(hq.locator(".dms-doc-verified")).to_have_count(3)
    shot(hq, "dealer-detail")
    dealer.refresh_from_db()
    assert dealer.status == Dealer.Status.ACTIVE

    # 6. The public form on a phone.
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/apply/")
    expect(phone.get_by_test_id("apply-submit")).to_be_visible()
    shot(phone, "apply-form-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
