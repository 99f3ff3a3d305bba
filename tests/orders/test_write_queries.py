"""Query budgets of the order writes through the API: creating a draft and submitting it cost a fixed number of
queries, the same with 3 lines as with 30, and answer exactly what a fresh read of the order would."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dms.events.models import Event
from orders import selectors, verbs
from orders.api.orders import OrderSerializer
from orders.models import Order
from tests.factories.orders import ProductFactory, price_list, stock

pytestmark = pytest.mark.django_db

# Create: the dealer in scope, the products, their authorisations, then in one transaction the number, the
# order, its lines and its event.
CREATE_QUERIES = 9
# Submit: the order in scope; then in one transaction the order locked, its lines, their prices and
# authorisations, the frozen prices, the credit account locked, the stock locked, the stock written, the
# reservations, the stock movements, the credit position, the order and its two events.
SUBMIT_QUERIES = 15


@pytest.fixture
def products(shop, dealer_one):
    """30 products of the dealer's authorised line, in stock, one of them on the dealer's tier price list."""
    made = [shop.kettle] + [
        ProductFactory(sku=f"K-{n:03d}", product_line=shop.line, base_price="10.00") for n in range(300, 329)
    ]
    for product in made[1:]:
        stock(product, shop.main, 100)
    price_list(tier=dealer_one.tier, items={made[1]: "8.00"})
    return made


def body(products, count: int) -> dict:
    return {"lines": [{"product": product.pk, "quantity": 1} for product in products[:count]]}


def fresh(user, order_id: int) -> dict:
    """The order as the API reads it afresh (the retrieve endpoint's queryset and serializer), as JSON."""
    order = selectors.order_detail_queryset(user=user).get(pk=order_id)
    return json.loads(json.dumps(OrderSerializer(order).data, cls=DjangoJSONEncoder))


def create_and_submit(client, payload) -> tuple[list, list, dict, dict]:
    with CaptureQueriesContext(connection) as creating:
        created = client.post("/api/v1/orders/", payload, format="json")
    assert created.status_code == 201, created.json()
    with CaptureQueriesContext(connection) as submitting:
        submitted = client.post(f"/api/v1/orders/{created.json()['id']}/submit/")
    assert submitted.status_code == 200, submitted.json()
    return creating.captured_queries, submitting.captured_queries, created.json(), submitted.json()


def test_create_and_submit_cost_the_same_queries_with_3_lines_as_with_30(api_as, dealer_admin, products):
    client = api_as(dealer_admin)
    create_and_submit(client, body(products, 2))  # fills this process's caches: content types, compiled reads
    create_3, submit_3, _created, _submitted = create_and_submit(client, body(products, 3))
    create_30, submit_30, _created, submitted = create_and_submit(client, body(products, 30))
    assert len(submitted["lines"]) == 30 and submitted["status"] == Order.Status.APPROVED
    assert len(create_3) == len(create_30) <= CREATE_QUERIES, [q["sql"][:80] for q in create_30]
    assert len(submit_3) == len(submit_30) <= SUBMIT_QUERIES, [q["sql"][:80] for q in submit_30]


def test_create_and_submit_answer_what_a_fresh_read_of_the_order_shows(api_as, dealer_admin, products):
    client = api_as(dealer_admin)
    # Lines listed against the order of their products: the answer keeps the lines' own order.
    payload = {"lines": list(reversed(body(products, 3)["lines"]))}
    _create, _submit, created, submitted = create_and_submit(client, payload)
    assert created["status"] == "draft" and created["lines"][0]["reservations"] == []
    assert [row["product"] for row in submitted["lines"]] == [p.pk for p in reversed(products[:3])]
    assert submitted["lines"][2]["reservations"] == [{"warehouse": "HZ", "quantity": 1}]
    assert submitted["lines"][1]["unit_price"] == "8.00"
    assert submitted == fresh(dealer_admin, submitted["id"])
    order = Order.objects.get(pk=submitted["id"])
    assert list(Event.objects.filter(target_id=str(order.pk)).order_by("id").values_list("verb", flat=True)) == [
        verbs.ORDER_CREATED.code,
        verbs.ORDER_SUBMITTED.code,
        verbs.ORDER_APPROVED.code,
    ]


def test_the_created_draft_answers_what_a_fresh_read_shows(api_as, dealer_admin, products):
    payload = {"lines": list(reversed(body(products, 3)["lines"])), "note": "周五前送达"}
    created = api_as(dealer_admin).post("/api/v1/orders/", payload, format="json").json()
    assert created == fresh(dealer_admin, created["id"])
