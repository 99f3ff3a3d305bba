"""Query budgets of the order writes through the API: creating a draft and submitting it cost a fixed number of
queries, the same with 3 lines as with 30, signed in or with a token, and answer exactly what a fresh read of the
order would."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dms.accounts.services import token_create
from dms.events.models import Event
from orders import selectors, verbs
from orders.api.orders import OrderSerializer
from orders.models import Order
from tests.factories.orders import ProductFactory, price_list, stock

pytestmark = pytest.mark.django_db

# Create: the products with their authorisations (the dealer comes with the user), then in one transaction the
# number, the order, its lines and its event.
CREATE_QUERIES = 7
# Submit: in one transaction the order in scope locked with the credit account, its lines with their prices and
# authorisations, the frozen prices, the stock locked, the stock written, the reservations, the stock movements,
# the credit position, the order and its two events.
SUBMIT_QUERIES = 12
# A token costs one query more per request: the token with its user, the user's dealer and its region.
TOKEN_QUERIES = 1
# An Idempotency-Key costs four: its claim (one statement), the savepoint the service's transaction becomes inside
# the one that stores the answer, and the answer stored.
KEY_QUERIES = 4


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


def create_and_submit(client, payload, key: str | None = None) -> tuple[list, list, dict, dict]:
    headers = {"Idempotency-Key": key} if key else {}
    with CaptureQueriesContext(connection) as creating:
        created = client.post("/api/v1/orders/", payload, format="json", headers=headers)
    assert created.status_code == 201, created.json()
    with CaptureQueriesContext(connection) as submitting:
        submitted = client.post(f"/api/v1/orders/{created.json()['id']}/submit/", headers=headers)
    assert submitted.status_code == 200, submitted.json()
    return creating.captured_queries, submitting.captured_queries, created.json(), submitted.json()


@pytest.fixture
def token_client(dealer_admin):
    """An API client sending the dealer administrator's token, as another system does."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=dealer_admin, name='ERP')[1]}")
    return client


@pytest.mark.parametrize(("auth", "key"), [("session", False), ("token", False), ("token", True)])
def test_create_and_submit_cost_the_same_queries_with_3_lines_as_with_30(
    api_as, dealer_admin, token_client, products, auth, key
):
    client = token_client if auth == "token" else api_as(dealer_admin)
    extra = (TOKEN_QUERIES if auth == "token" else 0) + (KEY_QUERIES if key else 0)
    create_and_submit(client, body(products, 2))  # fills this process's caches: content types, compiled reads
    create_3, submit_3, _created, _submitted = create_and_submit(client, body(products, 3), key and "order-3")
    create_30, submit_30, _created, submitted = create_and_submit(client, body(products, 30), key and "order-30")
    assert len(submitted["lines"]) == 30 and submitted["status"] == Order.Status.APPROVED
    assert len(create_3) == len(create_30) <= CREATE_QUERIES + extra, [q["sql"][:80] for q in create_30]
    assert len(submit_3) == len(submit_30) <= SUBMIT_QUERIES + extra, [q["sql"][:80] for q in submit_30]


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
