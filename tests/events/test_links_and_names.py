"""Notifications lead to their object, and dealers read head office (or the brand) where head office acted,
never a head-office username: in the notification list, on the home page, in timelines, emails and the API."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from dms import events
from dms.events.models import NotificationPreference
from dms.events.services import events_publish
from orders import services
from orders import verbs as order_verbs
from tests.factories import UserFactory
from tests.factories.orders import ProductFactory, ProductLineFactory, WarehouseFactory, authorize, credit, stock
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_brand(settings):
    """Without a brand's name in settings, dealers read "Head office" (总部)."""
    settings.BRAND_NAME = ""


@pytest.fixture
def kettle(dealer_one):
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    product = ProductFactory(sku="K-100", product_line=line, base_price="100.00")
    warehouse = WarehouseFactory(code="HZ", name="杭州仓", name_en="Hangzhou", priority=1)
    authorize(dealer_one, line)
    stock(product, warehouse, 100)
    credit(dealer_one, "100000.00", warehouse=warehouse)
    return product


@pytest.fixture
def order(hq_admin, dealer_one, dealer_admin, kettle):
    """An order head office placed for dealer 1 and approved, the dealer admin told of the approval."""
    hq_admin.first_name, hq_admin.last_name = "", ""
    hq_admin.save()
    made = services.order_create(actor=hq_admin, dealer=dealer_one, lines=[{"product": kettle, "quantity": 2}])
    events.record(actor=hq_admin, verb=order_verbs.ORDER_APPROVED.code, target=made, notify=[dealer_admin, hq_admin])
    events_publish()
    return made


def signed_in(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_dealer_reads_head_office_and_follows_the_notification_to_the_order(order, dealer_admin):
    client = signed_in(dealer_admin)
    page = client.get(reverse("notifications:list")).content.decode()
    detail = reverse("portal:order_detail", args=[order.pk])
    assert f'<a href="{detail}" data-testid="notification-link">总部 审核通过了订单 {order.number}</a>' in page
    assert "boss" not in page
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{detail}"' in home and "boss" not in home
    assert client.get(detail).status_code == 200


def test_the_order_page_and_its_timeline_name_head_office_not_its_user(order, dealer_admin):
    page = signed_in(dealer_admin).get(reverse("portal:order_detail", args=[order.pk])).content.decode()
    assert "总部" in page
    assert "boss" not in page


def test_the_brand_name_replaces_head_office_when_settings_has_one(order, dealer_admin, settings):
    settings.BRAND_NAME = "海川电器"
    page = signed_in(dealer_admin, "en").get(reverse("notifications:list")).content.decode()
    assert f"海川电器 approved the order {order.number}" in page
    assert "boss" not in page


def test_head_office_reads_the_name_and_follows_the_link_to_its_own_console(order, hq_admin):
    page = signed_in(hq_admin, "en").get(reverse("notifications:list")).content.decode()
    assert f'<a href="{reverse("orders:detail", args=[order.pk])}" data-testid="notification-link">' in page
    assert f"boss approved the order {order.number}" in page


def test_a_dealer_colleague_is_named(dealer_one, dealer_admin, dealer_staff):
    events.record(actor=dealer_staff, verb="accounts.token_created", target=dealer_admin, notify=[dealer_admin])
    events_publish()
    page = signed_in(dealer_admin, "en").get(reverse("notifications:list")).content.decode()
    assert f"{dealer_staff} created the API token" in page


def test_no_link_to_a_page_the_reader_may_not_open(order, dealer_one):
    """A dealer's staff list is for its administrator: the staff member's notification about a user has no link."""
    colleague = UserFactory(username="colleague", role="dealer_staff", dealer=dealer_one)
    events.record(actor=colleague, verb="accounts.token_created", target=colleague, notify=[colleague])
    events_publish()
    page = signed_in(colleague, "en").get(reverse("notifications:list")).content.decode()
    assert f"{colleague} created the API token" in page
    assert reverse("portal:staff") not in page


def test_the_email_names_head_office_and_links_the_order(
    order, dealer_admin, settings, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=dealer_admin, verb=order_verbs.ORDER_APPROVED.code, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        events.record(actor=order.created_by, verb=order_verbs.ORDER_APPROVED.code, target=order, notify=[dealer_admin])
        events_publish()
    body = mail.outbox[-1].body
    assert f"总部 审核通过了订单 {order.number}" in body
    assert f"{settings.DMS_SITE_URL}{reverse('portal:order_detail', args=[order.pk])}" in body
    assert "boss" not in body


def test_the_api_gives_dealers_head_office_not_usernames(order, dealer_admin, api_as):
    client = api_as(dealer_admin)
    notifications = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert notifications[0]["sentence"] == f"Head office approved the order {order.number}"
    for event in client.get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]:
        assert event["actor"] == "Head office"
        assert "boss" not in event["sentence"]


@pytest.mark.parametrize("url", ["/notifications/", "/portal/", "/api/v1/notifications/", "/api/v1/events/"])
def test_links_and_names_cost_no_query_per_row(order, hq_admin, dealer_admin, url):
    def add(n):
        for _ in range(n):
            events.record(actor=hq_admin, verb=order_verbs.ORDER_APPROVED.code, target=order, notify=[dealer_admin])
        events_publish()

    assert_flat_query_count(signed_in(dealer_admin), url, add)
