"""The orders cards on the HQ dashboard and on the portal home."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Invoice
from tests.factories.orders import credit

pytestmark = pytest.mark.django_db


def place(user, dealer, product, quantity):
    order = services.order_create(actor=user, dealer=dealer, lines=[{"product": product, "quantity": quantity}])
    return services.order_submit(actor=user, order=order)


def test_the_dashboard_counts_approvals_shipping_and_overdue_money(client_as, hq_admin, dealer_admin, shop):
    credit(dealer_admin.dealer, "1000", warehouse=shop.main)
    shipped = services.order_ship(actor=hq_admin, order=place(dealer_admin, dealer_admin.dealer, shop.kettle, 5))
    Invoice.objects.filter(order=shipped).update(
        issued_on=timezone.localdate() - datetime.timedelta(days=60),
        due_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    place(dealer_admin, dealer_admin.dealer, shop.kettle, 1)
    place(dealer_admin, dealer_admin.dealer, shop.kettle, 9)
    response = client_as(hq_admin).get(reverse("hq:home"))
    card = response.context["cards"][0]
    assert (card["stats"]["pending"], card["stats"]["to_ship"]) == (1, 1)
    assert card["overdue_amount"] == 500
    assert card["sales"]["values"][-1] == 1500.0
    assert "orders-sales-data" in response.content.decode()


def test_a_rep_sees_only_their_territory_on_the_dashboard(client_as, sales_rep, dealer_admin, shop):
    place(dealer_admin, dealer_admin.dealer, shop.kettle, 1)
    card = client_as(sales_rep).get(reverse("hq:home")).context["cards"][0]
    assert card["stats"]["month_orders"] == 0


def test_the_portal_home_shows_credit_and_own_recent_orders(client_as, dealer_admin, other_dealer_admin, shop):
    order = place(dealer_admin, dealer_admin.dealer, shop.kettle, 2)
    page = client_as(dealer_admin).get(reverse("portal:home")).content.decode()
    assert order.number in page
    assert "¥99,800.00" in page  # available credit: 100,000 less the 200 order
    other = client_as(other_dealer_admin).get(reverse("portal:home")).content.decode()
    assert order.number not in other
