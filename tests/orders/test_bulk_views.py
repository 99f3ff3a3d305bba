"""Approving and rejecting the orders ticked in the approval queue: each through the one-order service, with a
result per order."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dms.bulk import MAX_ROWS
from orders import services
from orders.models import Order
from tests.factories.orders import authorize, credit, grant

pytestmark = pytest.mark.django_db
QUEUE = reverse("orders:approvals")


def en_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def place(actor, dealer, product, quantity=1) -> Order:
    order = services.order_create(actor=actor, dealer=dealer, lines=[{"product": product, "quantity": quantity}])
    return services.order_submit(actor=actor, order=order)


@pytest.fixture
def queue(settings, shop, hq_admin, dealer_one, dealer_two):
    """Three orders waiting: two of dealer 1 only for their size, one of dealer 2 past its credit limit."""
    settings.DMS_ORDER_APPROVAL_AMOUNT = Decimal("50.00")
    authorize(dealer_two, shop.line)
    credit(dealer_two, "10.00", warehouse=shop.main)
    orders = [place(hq_admin, dealer_one, shop.kettle), place(hq_admin, dealer_one, shop.kettle, 2)]
    orders.append(place(hq_admin, dealer_two, shop.kettle))
    assert {order.status for order in orders} == {Order.Status.PENDING_APPROVAL}
    return orders


def statuses(orders) -> list[str]:
    return [Order.objects.get(pk=order.pk).status for order in orders]


def results_of(response) -> list[tuple[str, bool, str]]:
    return [(row["label"], row["ok"], row["message"]) for row in response.context["bulk_results"]]


def test_bulk_approval_approves_what_it_may_and_says_why_not_for_the_rest(queue, hq_staff):
    grant(hq_staff, "approve_order")
    first, second, over = queue
    response = en_client(hq_staff).post(
        QUEUE, {"action": "approve", "selected": [first.pk, over.pk, second.pk]}, follow=True
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert results_of(response) == [
        (first.number, True, "Approved."),
        (over.number, False, str(services.CreditOverrideRequired.message)),
        (second.number, True, "Approved."),
    ]
    assert statuses(queue) == [Order.Status.APPROVED, Order.Status.APPROVED, Order.Status.PENDING_APPROVAL]
    page = response.content.decode()
    assert "2 of 3 rows done" in page and 'data-testid="bulk-result"' in page
    # The approved orders have left the queue; the refused one waits.
    assert [order.pk for order in response.context["orders"]] == [over.pk]
    # The results are shown once.
    assert "bulk_results" not in en_client(hq_staff).get(QUEUE).context


def test_bulk_approval_never_passes_a_credit_override_even_for_who_holds_it(queue, hq_admin):
    over = queue[2]
    response = en_client(hq_admin).post(QUEUE, {"action": "approve", "selected": [over.pk]}, follow=True)
    [(label, ok, message)] = results_of(response)
    assert (label, ok) == (over.number, False) and "approve it on its own page, with a reason" in message
    assert statuses([over]) == [Order.Status.PENDING_APPROVAL]


def test_an_order_already_decided_is_reported_not_decided_again(queue, hq_admin):
    first = queue[0]
    services.order_approve(actor=hq_admin, order=first)
    response = en_client(hq_admin).post(QUEUE, {"action": "reject", "selected": [first.pk], "reason": "x"}, follow=True)
    assert results_of(response) == [(first.number, False, "Cannot change status from approved to rejected.")]
    assert statuses([first]) == [Order.Status.APPROVED]


def test_bulk_rejection_needs_one_reason_given_beside_its_field(queue, hq_admin):
    client = en_client(hq_admin)
    response = client.post(QUEUE, {"action": "reject", "selected": [queue[0].pk, queue[1].pk], "reason": "  "})
    assert response.status_code == 422
    assert response.context["bulk_form"].errors == {"reason": ["Give a reason to reject the selected orders."]}
    page = response.content.decode()
    assert 'data-testid="bulk-reason-error"' in page
    # What was ticked stays ticked.
    assert page.count(" checked aria-label=") == 2
    assert statuses(queue) == [Order.Status.PENDING_APPROVAL] * 3

    response = client.post(
        QUEUE, {"action": "reject", "selected": [queue[0].pk, queue[1].pk], "reason": "Discontinued model"}, follow=True
    )
    assert [ok for _label, ok, _message in results_of(response)] == [True, True]
    assert statuses(queue) == [Order.Status.REJECTED, Order.Status.REJECTED, Order.Status.PENDING_APPROVAL]
    assert Order.objects.get(pk=queue[0].pk).decision_reason == "Discontinued model"


def test_staff_without_the_approval_permission_see_no_bulk_bar_and_are_refused(queue, hq_staff):
    client = en_client(hq_staff)
    page = client.get(QUEUE).content.decode()
    assert 'data-testid="bulk-bar"' not in page and 'data-testid="select-row"' not in page
    response = client.post(QUEUE, {"action": "approve", "selected": [order.pk for order in queue]})
    assert response.status_code == 403
    assert statuses(queue) == [Order.Status.PENDING_APPROVAL] * 3


def test_orders_outside_the_users_territory_are_reported_and_never_touched(queue, sales_rep):
    grant(sales_rep, "approve_order")
    response = en_client(sales_rep).post(QUEUE, {"action": "approve", "selected": [queue[0].pk, 999999]}, follow=True)
    assert results_of(response) == [
        (f"#{queue[0].pk}", False, "Not found, or not yours to act on."),
        ("#999999", False, "Not found, or not yours to act on."),
    ]
    assert statuses(queue) == [Order.Status.PENDING_APPROVAL] * 3


def test_a_bulk_action_without_rows_or_past_the_cap_changes_nothing(queue, hq_admin):
    client = en_client(hq_admin)
    response = client.post(QUEUE, {"action": "approve"})
    assert response.context["bulk_form"].errors == {"selected": ["Select at least one row."]}
    too_many = [queue[0].pk, *range(1_000_000, 1_000_000 + MAX_ROWS)]
    response = client.post(QUEUE, {"action": "approve", "selected": too_many})
    assert response.status_code == 422
    assert response.context["bulk_form"].errors == {"selected": [f"Select at most {MAX_ROWS} rows at a time."]}
    assert 'data-testid="bulk-selection-error"' in response.content.decode()
    response = client.post(QUEUE, {"action": "approve", "selected": ["x"]})
    assert "selected" in response.context["bulk_form"].errors
    assert statuses(queue) == [Order.Status.PENDING_APPROVAL] * 3


def test_bulk_approval_costs_only_what_the_service_costs_per_order(settings, shop, hq_admin, dealer_one):
    settings.DMS_ORDER_APPROVAL_AMOUNT = Decimal("50.00")
    orders = [place(hq_admin, dealer_one, shop.kettle) for _ in range(5)]
    with CaptureQueriesContext(connection) as single:
        services.order_approve(actor=hq_admin, order=orders[0])
    client = en_client(hq_admin)
    client.get(QUEUE)

    def cost(batch) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(QUEUE, {"action": "approve", "selected": [order.pk for order in batch]})
        assert response.status_code == 302
        return len(ctx.captured_queries)

    one, three = cost(orders[1:2]), cost(orders[2:5])
    assert statuses(orders) == [Order.Status.APPROVED] * 5
    # Per order: the service's own queries and the savepoint around it, nothing more.
    assert (three - one) / 2 <= len(single.captured_queries) + 2
