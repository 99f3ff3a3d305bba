"""Menus by role: each entry of the HQ sidebar and the portal menu shows only to users who may open its page,
and a page hidden from a user's menu answers 403 when its address is typed in."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from dms.menus import HQ_MENU, PORTAL_MENU
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Entries whose page is not one of the apps' role-checked views: checked apart below.
OUTSIDE_THE_APPS = {"admin:index"}


def menu_hrefs(client, home: str) -> list[str]:
    page = client.get(reverse(home)).content.decode()
    menu = re.search(r'data-testid="main-menu">(.*?)</(?:nav|ul)>', page, re.S).group(1)
    return re.findall(r'href="([^"]+)"', menu)


def group_member(username: str, *groups: str):
    user = UserFactory(username=username, role="hq_staff", sees_all_without_regions=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def people(users):
    return {
        **users,
        "order_desk": group_member("orderdesk", "order_desk"),
        "finance": group_member("financedesk", "finance"),
        "warehouse": group_member("warehouse", "warehouse"),
        "lead_desk": group_member("leaddesk", "lead_desk"),
    }


@pytest.mark.parametrize(
    "role",
    [
        "hq_admin",
        "hq_staff",
        "sales_rep",
        "order_desk",
        "finance",
        "warehouse",
        "lead_desk",
        "dealer_admin",
        "dealer_staff",
    ],
)
def test_the_menu_shows_exactly_the_pages_the_user_may_open(client_as, people, role):
    user = people[role]
    client = client_as(user)
    menu, home = (PORTAL_MENU, "portal:home") if user.is_dealer_user else (HQ_MENU, "hq:home")
    shown = menu_hrefs(client, home)
    for entry in (entry for section in menu for entry in section.entries):
        if entry.url_name in OUTSIDE_THE_APPS:
            continue
        url = reverse(entry.url_name)
        status = client.get(url).status_code
        if url in shown:
            assert status == 200, f"{role} sees {entry.url_name} in the menu but gets {status}"
        else:
            assert status == 403, f"{role} does not see {entry.url_name} in the menu but gets {status}"


def test_a_sales_rep_sees_the_pages_of_their_work_only(client_as, sales_rep):
    shown = set(menu_hrefs(client_as(sales_rep), "hq:home"))
    for hidden in (
        "orders:approvals",
        "orders:stock",
        "orders:payments",
        "leads:rules",
        "leads:sources",
        "leads:import",
        "api:docs",
        "accounts:user_list",
        "admin:index",
    ):
        assert reverse(hidden) not in shown
    for kept in ("hq:home", "dealers:list", "orders:list", "orders:products", "leads:list", "orders:invoices"):
        assert reverse(kept) in shown


def test_permissions_open_their_entries(client_as, people):
    desk = set(menu_hrefs(client_as(people["order_desk"]), "hq:home"))
    assert {reverse("orders:approvals"), reverse("orders:stock")} <= desk
    assert reverse("orders:payments") not in desk
    finance = set(menu_hrefs(client_as(people["finance"]), "hq:home"))
    assert {reverse("orders:approvals"), reverse("orders:payments")} <= finance
    assert reverse("orders:stock") not in finance


def test_the_admin_site_is_in_the_menu_of_staff_accounts_only(client_as, hq_admin, hq_staff):
    hq_admin.is_staff = True
    hq_admin.save(update_fields=["is_staff"])
    assert reverse("admin:index") in menu_hrefs(client_as(hq_admin), "hq:home")
    assert reverse("admin:index") not in menu_hrefs(client_as(hq_staff), "hq:home")


def test_dealer_staff_do_not_see_the_staff_page(client_as, dealer_admin, dealer_staff):
    assert reverse("portal:staff") in menu_hrefs(client_as(dealer_admin), "portal:home")
    assert reverse("portal:staff") not in menu_hrefs(client_as(dealer_staff), "portal:home")


def test_the_current_page_is_marked_in_the_menu(client_as, hq_admin, dealer_admin):
    page = client_as(hq_admin).get(reverse("dealers:application_list")).content.decode()
    active = re.findall(r'class="nav-link active" href="([^"]+)" aria-current="page"', page)
    assert active == [reverse("dealers:application_list")]
    page = client_as(dealer_admin).get(reverse("portal:orders")).content.decode()
    active = re.findall(r'class="nav-link active" href="([^"]+)" aria-current="page"', page)
    assert active == [reverse("portal:orders")]


def test_the_home_card_of_orders_waiting_leads_where_the_user_may_go(client_as, sales_rep, people):
    rep_home = client_as(sales_rep).get(reverse("hq:home")).content.decode()
    assert reverse("orders:approvals") not in rep_home
    assert f"{reverse('orders:list')}?status=pending_approval" in rep_home
    desk_home = client_as(people["order_desk"]).get(reverse("hq:home")).content.decode()
    assert f'href="{reverse("orders:approvals")}" data-testid="card-pending"' in desk_home
