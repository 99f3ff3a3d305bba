"""The order, invoice and payment lists read what a page shows through an index: line counts per row, not per
table, and composite indexes in the order the lists sort."""

import pytest
from django.db import connection

from orders import selectors, services
from tests.platform.query_budget import plan_of

pytestmark = pytest.mark.django_db


def test_line_counts_are_counted_per_listed_order_not_grouped_over_the_table(shop, dealer_one, hq_admin):
    two = services.order_create(
        actor=hq_admin,
        dealer=dealer_one,
        lines=[{"product": shop.kettle, "quantity": 1}, {"product": shop.oven, "quantity": 2}],
    )
    empty = services.order_create(actor=hq_admin, dealer=dealer_one, lines=[])
    orders = selectors.order_list(user=hq_admin)
    assert {order.pk: order.line_count for order in orders} == {two.pk: 2, empty.pk: 0}
    sql = str(orders.query).upper()
    # A GROUP BY over the orders would count every order's lines before the page is cut.
    assert "GROUP BY" not in sql.split("FROM")[-1]


def _index_columns(table: str, name: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    index = constraints[name]
    return list(zip(index["columns"], index["orders"], strict=True))


@pytest.mark.parametrize(
    ("table", "name", "columns"),
    [
        ("orders_order", "order_dealer_created_idx", [("dealer_id", "ASC"), ("created_at", "DESC"), ("id", "DESC")]),
        ("orders_order", "order_status_submitted_idx", [("status", "ASC"), ("submitted_at", "ASC"), ("id", "ASC")]),
        ("orders_invoice", "invoice_dealer_issued_idx", [("dealer_id", "ASC"), ("issued_on", "DESC"), ("id", "DESC")]),
        (
            "orders_payment",
            "payment_dealer_received_idx",
            [("dealer_id", "ASC"), ("received_on", "DESC"), ("id", "DESC")],
        ),
    ],
)
def test_dealer_scoped_lists_have_indexes_in_their_sort_order(table, name, columns):
    assert _index_columns(table, name) == columns


def test_a_dealers_newest_orders_are_read_through_its_index(shop, dealer_one, dealer_admin):
    plan = plan_of(selectors.order_list(user=dealer_admin)[:25])
    assert "order_dealer_created_idx" in plan
    assert "Sort" not in plan.replace("Incremental Sort", "")
