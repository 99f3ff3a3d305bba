"""The order desk shows only the actions its user may take: approving past the credit limit takes the credit
override permission, and without it the button is not there (rejecting still is)."""

import pytest
from django.urls import reverse

from orders import services
from tests.factories.orders import credit, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def over_limit(shop, dealer_one, dealer_admin):
    """An order of dealer 1 past its credit limit, waiting for approval."""
    credit(dealer_one, "300.00", warehouse=shop.main)
    order = services.order_create(
        actor=dealer_admin, dealer=dealer_one, lines=[{"product": shop.kettle, "quantity": 5}]
    )
    return services.order_submit(actor=dealer_admin, order=order)


def buttons(client, url: str) -> tuple[bool, bool]:
    page = client.get(url).content.decode()
    return 'data-testid="approve"' in page, 'data-testid="reject"' in page


@pytest.mark.parametrize("page", ["orders:detail", "orders:approvals"])
def test_the_override_approval_shows_only_to_holders_of_the_permission(client_as, hq_staff, over_limit, page):
    url = reverse(page, args=[over_limit.pk]) if page == "orders:detail" else reverse(page)
    grant(hq_staff, "approve_order")
    assert buttons(client_as(hq_staff), url) == (False, True)

    grant(hq_staff, "approve_credit_override")
    assert buttons(client_as(hq_staff), url) == (True, True)


def test_the_stock_count_import_is_offered_to_those_who_may_adjust_stock(client_as, hq_staff, shop):
    grant(hq_staff, "ship_order")
    assert 'data-testid="stock-import-link"' not in client_as(hq_staff).get(reverse("orders:stock")).content.decode()
    grant(hq_staff, "adjust_stock")
    assert 'data-testid="stock-import-link"' in client_as(hq_staff).get(reverse("orders:stock")).content.decode()
