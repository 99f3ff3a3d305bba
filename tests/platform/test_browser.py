"""End-to-end checks in a real browser: sign-in, role homes, language switch, sign-out, phone layout."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from dms.accounts.models import Role
from tests.platform.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 375, "height": 740}
ROLES = ["hq_admin", "hq_staff", "sales_rep", "dealer_admin", "dealer_staff"]
HOME = {
    "hq_admin": "/hq/",
    "hq_staff": "/hq/",
    "sales_rep": "/hq/",
    "dealer_admin": "/portal/",
    "dealer_staff": "/portal/",
}


def role_label(role: str, language: str) -> str:
    with translation.override(language):
        return str(Role(role).label)


@pytest.fixture(params=ROLES)
def role_user(request):
    return request.param, request.getfixturevalue(request.param)


def test_sign_in_switch_language_and_sign_out(web_page, live_server, role_user):
    """One journey per role: sign in (Chinese), see the role, switch to English, sign out."""
    role, user = role_user
    page = web_page
    html = page.locator("html")

    sign_in(page, live_server, user)

    expect(page).to_have_url(f"{live_server.url}{HOME[role]}")
    expect(html).to_have_attribute("lang", "zh-hans")
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("user-role")).to_be_visible()
    expect(page.get_by_test_id("user-role")).to_contain_text(role_label(role, "zh-hans"))
    page.keyboard.press("Escape")

    switcher = page.get_by_test_id("language-switcher")
    expect(switcher).to_have_value("zh-hans")
    switcher.select_option("en")

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}{HOME[role]}")
    expect(page.get_by_test_id("language-switcher")).to_have_value("en")
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("user-role")).to_contain_text(role_label(role, "en"))
    expect(page.get_by_test_id("logout")).to_have_text("Sign out")

    page.get_by_test_id("logout").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    # Signed out for real: the console sends us back to the sign-in page.
    page.goto(f"{live_server.url}/hq/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/hq/$"))


def test_anonymous_visit_to_hq_redirects_to_login(web_page, live_server):
    web_page.goto(f"{live_server.url}/hq/")

    expect(web_page).to_have_url(re.compile(r"/accounts/login/\?next=/hq/$"))
    expect(web_page.get_by_test_id("login-submit")).to_be_visible()


def test_phone_hq_sidebar_hidden_behind_menu_button(make_page, live_server, hq_admin):
    page = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server, hq_admin)
    expect(page).to_have_url(f"{live_server.url}/hq/")

    sidebar = page.locator("#dms-sidebar")
    menu_button = page.locator('button[data-bs-toggle="offcanvas"][data-bs-target="#dms-sidebar"]')
    users_link = sidebar.locator('a[href="/hq/users/"]')
    expect(sidebar).to_be_hidden()
    expect(menu_button).to_be_visible()

    menu_button.tap()

    expect(sidebar).to_be_visible()
    expect(sidebar).to_have_class(re.compile(r"\bshow\b"))
    expect(users_link).to_be_visible()
    # The top bar fits the phone: nothing pushes the page wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
