"""The beat task that gives back the stock of orders left waiting for approval too long."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from dms.events.models import Event, Notification
from orders import services, verbs
from orders.models import Order, StockLevel
from orders.tasks import orders_release_expired_task
from tests.factories.orders import credit

pytestmark = pytest.mark.django_db
S = Order.Status


def pending_order(user, dealer, product, quantity: int) -> Order:
    order = services.order_create(actor=user, dealer=dealer, lines=[{"product": product, "quantity": quantity}])
    return services.order_submit(actor=user, order=order)


def test_the_task_releases_an_order_waiting_too_long_and_tells_the_dealer(
    shop, dealer_admin, dealer_one, django_capture_on_commit_callbacks
):
    credit(dealer_one, "0.00", warehouse=shop.main)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = pending_order(dealer_admin, dealer_one, shop.kettle, 4)
    hours = settings.DMS_PENDING_APPROVAL_HOURS
    with time_machine.travel(start + datetime.timedelta(hours=hours - 1), tick=False):
        young = pending_order(dealer_admin, dealer_one, shop.oven, 2)

    with (
        time_machine.travel(start + datetime.timedelta(hours=hours, minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert orders_release_expired_task.delay().get() == 1

    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, old.submitted_at, old.approval_reasons) == (S.DRAFT, None, [])
    assert young.status == S.PENDING_APPROVAL
    assert StockLevel.objects.get(product=shop.kettle, warehouse=shop.main).reserved == 0
    assert StockLevel.objects.get(product=shop.oven, warehouse=shop.main).reserved == 2
    told = Notification.objects.get(recipient=dealer_admin, event__verb=verbs.ORDER_EXPIRED.code)
    assert told.event.target_id == str(old.pk)


def test_a_second_run_changes_nothing(shop, dealer_admin, dealer_one):
    credit(dealer_one, "0.00", warehouse=shop.main)
    order = pending_order(dealer_admin, dealer_one, shop.kettle, 4)
    later = timezone.now() + datetime.timedelta(hours=settings.DMS_PENDING_APPROVAL_HOURS + 1)
    with time_machine.travel(later, tick=False):
        assert orders_release_expired_task.delay().get() == 1
        order.refresh_from_db()
        before = (order.status, order.updated_at)
        assert orders_release_expired_task.delay().get() == 0
    order.refresh_from_db()
    assert (order.status, order.updated_at) == before
    assert order.status == S.DRAFT
    assert Event.objects.filter(verb=verbs.ORDER_EXPIRED.code).count() == 1
    assert StockLevel.objects.get(product=shop.kettle, warehouse=shop.main).reserved == 0
