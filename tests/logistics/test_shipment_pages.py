"""The shipment pages: the order desk plans a shipment from the order's page, dispatches it, adds a tracking step
and records delivery; the dealer sees its shipments on the order in the portal and confirms what arrived."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from logistics import services
from logistics.models import Shipment, TrackingEvent
from orders.models import Order
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
St = Shipment.Status


@pytest.fixture
def signed_in():
    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_desk_plans_part_of_an_order_from_its_page_and_dispatches_it(signed_in, shop, desk, approved):
    order = approved((shop.kettle, 120))  # 100 in 杭州, 20 in 上海
    client = signed_in(desk)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    plan_url = reverse("logistics:shipment_plan", args=[order.pk])
    assert 'data-testid="shipments-panel"' in page and plan_url in page

    form = client.get(plan_url)
    assert [w.code for w, _left in form.context["left_by_warehouse"]] == ["HZ", "SH"]
    line = order.lines.get()
    assert form.context["form"][f"line_{line.pk}"].initial == 100

    data = {
        "warehouse": "HZ",
        f"line_{line.pk}": "101",
        "mode": "own_fleet",
        "requested_date": timezone.localdate().isoformat(),
        "window_opens": "09:00",
        "window_closes": "17:00",
    }
    refused = client.post(plan_url, data)
    assert refused.status_code == 422
    assert "Ensure this value is less than or equal to 100." in refused.content.decode()
    assert not Shipment.objects.exists()

    response = client.post(plan_url, {**data, f"line_{line.pk}": "60", "dispatch_now": "on"}, follow=True)
    shipment = Shipment.objects.get()
    assert messages_of(response) == [f"Shipment {shipment.number} dispatched."]
    assert (shipment.status, shipment.lines.get().quantity) == (St.IN_TRANSIT, 60)
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED


def test_the_shipment_page_records_steps_and_delivery_and_keeps_a_failed_form(signed_in, shop, desk, approved):
    order = approved((shop.kettle, 5))
    shipment = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    client = signed_in(desk)
    url = reverse("logistics:shipment_detail", args=[shipment.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="dispatch"' in page and 'data-testid="delivery-form"' not in page

    cancel = client.post(reverse("logistics:shipment_cancel", args=[shipment.pk]), {"reason": ""})
    assert cancel.status_code == 422 and "This field is required." in cancel.content.decode()

    response = client.post(reverse("logistics:shipment_dispatch", args=[shipment.pk]), follow=True)
    assert messages_of(response) == ["Shipment dispatched: the stock has left and the invoice is issued."]
    assert 'data-testid="delivery-form"' in response.content.decode()

    happened = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    track = client.post(
        reverse("logistics:shipment_track", args=[shipment.pk]),
        {"status": "delayed", "occurred_at": happened, "location": "嘉兴", "note": "大雾封路"},
        follow=True,
    )
    assert messages_of(track) == ["Tracking step added."] and "大雾封路" in track.content.decode()

    line = shipment.lines.get()
    wrong = client.post(reverse("logistics:shipment_deliver", args=[shipment.pk]), {f"received_{line.pk}": "6"})
    assert wrong.status_code == 422
    done = client.post(
        reverse("logistics:shipment_deliver", args=[shipment.pk]),
        {f"received_{line.pk}": "4", "received_by": "王店长", "note": "一台外箱破损"},
        follow=True,
    )
    assert messages_of(done) == ["Delivery recorded."]
    assert "1 short" in done.content.decode()
    assert list(TrackingEvent.objects.filter(shipment=shipment).order_by("id").values_list("status", flat=True)) == [
        "dispatched",
        "delayed",
        "delivered",
    ]


def test_the_dealer_confirms_what_arrived_from_the_order_page(
    signed_in, shop, desk, dealer_admin, dealer_two, approved
):
    order = approved((shop.kettle, 3), (shop.oven, 2))
    shipment = services.shipment_dispatch(
        actor=desk, shipment=services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    )
    client = signed_in(dealer_admin)
    page = client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()
    assert shipment.number in page and 'data-testid="receive-form"' in page

    lines = {line.product.sku: line for line in shipment.lines.select_related("product")}
    response = client.post(
        reverse("portal:shipment_receive", args=[shipment.pk]),
        {f"received_{lines['K-100'].pk}": "3", f"received_{lines['K-200'].pk}": "1", "received_by": "李"},
        follow=True,
    )
    assert messages_of(response) == [f"Receipt of {shipment.number} recorded, 1 units short: head office is told."]
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert (shipment.status, order.status, shipment.delivery_recorded_by_id) == (
        St.DELIVERED,
        Order.Status.DELIVERED,
        dealer_admin.pk,
    )

    stranger = signed_in(UserFactory(role="dealer_admin", dealer=dealer_two))
    assert stranger.post(reverse("portal:shipment_receive", args=[shipment.pk]), {}).status_code == 404
    assert signed_in(desk).post(reverse("portal:shipment_receive", args=[shipment.pk]), {}).status_code == 403


def test_the_shipments_list_costs_the_same_for_one_row_and_many(signed_in, shop, desk, approved):
    client = signed_in(desk)
    url = reverse("logistics:shipments")
    services.shipment_create(actor=desk, order=approved((shop.kettle, 1)), warehouse=shop.main)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        services.shipment_create(actor=desk, order=approved((shop.kettle, 1), (shop.oven, 2)), warehouse=shop.main)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert len(response.context["shipments"]) == 6
    assert len(six) == len(one)
