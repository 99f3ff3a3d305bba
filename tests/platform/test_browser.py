"""End-to-end checks in a real browser: sign-in, role homes, language switch, sign-out, phone layout."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from dms.accounts.models import Role
from tests.factories import PASSWORD
from tests.platform.conftest import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

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


def sign_in(page, live_server, user):
    import time

    t = time.time()
    page.goto(f"{live_server.url}/accounts/login/")
    print("goto", time.time() - t)
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()
    print("login", time.time() - t)
    for e in page.evaluate("performance.getEntriesByType('resource').map(e=>[e.name,e.duration])"):
        print(e)


@pytest.fixture(params=ROLES)
def role_user(request):
    return request.param, request.getfixturevalue(request.param)


def test_sign_in_lands_on_role_home_and_shows_role(web_page, live_server, role_user):
    role, user = role_user
    sign_in(web_page, live_server, user)

    expect(web_page).to_have_url(f"{live_server.url}{HOME[role]}")
    expect(web_page.locator("html")).to_have_attribute("lang", "zh-hans")
    web_page.get_by_test_id("user-menu").click()
    role_text = web_page.get_by_test_id("user-role")
    expect(role_text).to_be_visible()
    expect(role_text).to_contain_text(role_label(role, "zh-hans"))


def test_language_switch_from_chinese_to_english(web_page, live_server, role_user):
    role, user = role_user
    sign_in(web_page, live_server, user)
    expect(web_page).to_have_url(f"{live_server.url}{HOME[role]}")

    switcher = web_page.get_by_test_id("language-switcher")
    expect(web_page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(switcher).to_have_value("zh-hans")

    switcher.select_option("en")

    expect(web_page.locator("html")).to_have_attribute("lang", "en")
    expect(web_page).to_have_url(f"{live_server.url}{HOME[role]}")
    expect(web_page.get_by_test_id("language-switcher")).to_have_value("en")
    web_page.get_by_test_id("user-menu").click()
    expect(web_page.get_by_test_id("logout")).to_have_text("Sign out")
    expect(web_page.get_by_test_id("user-role")).to_contain_text(role_label(role, "en"))


def test_sign_out_through_user_menu(web_page, live_server, role_user):
    role, user = role_user
    sign_in(web_page, live_server, user)
    expect(web_page).to_have_url(f"{live_server.url}{HOME[role]}")

    web_page.get_by_test_id("user-menu").click()
    web_page.get_by_test_id("logout").click()

    expect(web_page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(web_page.get_by_test_id("login-submit")).to_be_visible()
    # Signed out for real: the console sends us back to the sign-in page.
    web_page.goto(f"{live_server.url}/hq/")
    expect(web_page).to_have_url(re.compile(r"/accounts/login/\?next=/hq/$"))


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
