"""The dealer page at head office as a 360° view: one tab per section, each with its own link and count, scoped to
the user, at a fixed number of queries."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dealers import services as dealer_services
from dms.accounts.models import Role
from dms.accounts.services import user_update
from dms.events.models import Event
from leads import services as lead_services
from orders import services as order_services
from tests.factories import UserFactory, document_type, pdf_bytes, region
from tests.factories.leads import company_phone, hangzhou_line
from tests.factories.orders import ProductFactory, WarehouseFactory, credit, stock
from tests.orders.test_reports import LONG_AGO, issue_invoice
from tests.platform.query_budget import count_queries

pytestmark = pytest.mark.django_db

TABS = ["orders", "credit", "invoices", "payments", "leads", "registrations", "documents", "staff", "timeline"]
serial = itertools.count(1)


def tab_url(dealer, key: str) -> str:
    return reverse("dealers:section", args=[dealer.pk, key])


class World:
    """Two dealers serving 杭州 with a product, stock and credit; ``add(dealer, n)`` gives a dealer n more rows of
    every kind the tabs list."""

    def __init__(self, hq_admin, dealers):
        self.hq_admin = hq_admin
        self.line = hangzhou_line(*dealers)
        self.product = ProductFactory(product_line=self.line, base_price="100.00")
        stock(self.product, WarehouseFactory(code="HZ"), 100_000)
        for dealer in dealers:
            dealer.authorizations.update(valid_from=LONG_AGO)
            credit(dealer, "1000000.00")

    def add(self, dealer, n: int = 1, *, overdue: bool = False) -> None:
        admin = dealer.users.filter(role=Role.DEALER_ADMIN).first()
        for _ in range(n):
            i = next(serial)
            on = timezone.localdate() - datetime.timedelta(days=90) if overdue else None
            issue_invoice(dealer, self.product, 1, actor=self.hq_admin, on=on)
            order_services.payment_record(
                actor=self.hq_admin,
                dealer=dealer,
                amount=Decimal("10.00"),
                received_on=timezone.localdate(),
                reference=f"BK-{i}",
            )
            lead, _created = lead_services.lead_create(
                actor=None,
                source="web",
                contact_name=f"客户{i}",
                phone=f"1380000{i:04d}",
                region=region("330106"),
                product_line=self.line,
                assign_soon=False,
            )
            lead_services.lead_assign_manually(actor=self.hq_admin, lead=lead, dealer=dealer, override_reason="test")
            company = f"杭州客户{i}有限公司"
            lead_services.registration_submit(
                actor=admin,
                product_line=self.line,
                customer_company=company,
                customer_phone=company_phone(company),
                expected_value="50000",
                expected_close_on=timezone.localdate() + datetime.timedelta(days=30),
            )
            dealer_services.document_upload(
                actor=admin,
                dealer=dealer,
                doc_type=document_type("business_licence"),
                file=SimpleUploadedFile("licence.pdf", pdf_bytes(f"licence-{i}")),
                number=f"DOC-{i}",
                issued_on=datetime.date(2024, 1, 1),
                expires_on=datetime.date(2030, 1, 1),
            )
            UserFactory(role=Role.DEALER_STAFF, dealer=dealer)


@pytest.fixture
def world(hq_admin, dealer_admin, other_dealer_admin):
    made = World(hq_admin, [dealer_admin.dealer, other_dealer_admin.dealer])
    made.add(dealer_admin.dealer)
    made.add(dealer_admin.dealer, overdue=True)
    made.add(other_dealer_admin.dealer)
    return made


def counts_on(response) -> dict:
    return {tab.key: tab.count for tab in response.context["tabs"] if tab.key}


def test_every_tab_answers_with_counts_that_match_the_data(client_as, hq_admin, dealer_one, world):
    client = client_as(hq_admin)
    expected = {
        "orders": 2,
        "credit": 1,  # the invoice issued 90 days ago is overdue
        "invoices": 2,
        "payments": 2,
        "leads": 2,
        "registrations": 2,
        "documents": 2,
        "staff": 3,  # the dealer's admin and the two staff added
        "timeline": Event.objects.filter(dealer_id=dealer_one.pk).count(),
    }
    overview = client.get(reverse("dealers:detail", args=[dealer_one.pk]))
    assert overview.status_code == 200
    assert counts_on(overview) == expected
    body = overview.content.decode()
    for key in TABS:
        assert f'href="{tab_url(dealer_one, key)}"' in body
    for key in TABS:
        response = client.get(tab_url(dealer_one, key))
        assert response.status_code == 200, key
        assert counts_on(response) == expected
        assert [tab.key for tab in response.context["tabs"] if tab.active] == [key]
    assert expected["timeline"] > 0


def test_each_tab_lists_only_that_dealers_rows_and_links_to_the_filtered_list(
    client_as, hq_admin, dealer_one, dealer_two, world
):
    client = client_as(hq_admin)
    see_all = {
        "orders": f"/hq/orders/?dealer={dealer_one.pk}",
        "credit": f"/hq/credit/{dealer_one.pk}/",
        "invoices": f"/hq/invoices/?dealer={dealer_one.pk}",
        "payments": f"/hq/payments/?dealer={dealer_one.pk}",
        "leads": f"/hq/leads/?dealer={dealer_one.pk}",
        "registrations": f"/hq/leads/registrations/?dealer={dealer_one.pk}",
        "staff": f"/hq/users/?dealer={dealer_one.pk}",
    }
    for key in TABS:
        response = client.get(tab_url(dealer_one, key))
        rows = list(response.context["rows"])
        assert rows, key
        for row in rows:
            held_by = row.open_assignments[0].dealer_id if key == "leads" else row.dealer_id
            assert held_by == dealer_one.pk, (key, row)
        assert response.context["see_all"] == see_all.get(key), key
        if key in see_all:
            assert f'href="{see_all[key]}"' in response.content.decode().replace("&amp;", "&")
    orders = client.get(tab_url(dealer_one, "orders")).content.decode()
    mine = dealer_one.orders.first().number
    theirs = dealer_two.orders.first().number
    assert mine in orders and theirs not in orders
    assert f'href="{reverse("orders:detail", args=[dealer_one.orders.first().pk])}"' in orders


def test_the_credit_tab_shows_limit_used_available_and_overdue(client_as, hq_admin, dealer_one, world):
    from orders.selectors import credit_position

    position = credit_position(dealer=dealer_one)
    response = client_as(hq_admin).get(tab_url(dealer_one, "credit"))
    assert response.context["position"] == position
    assert position.credit_limit == Decimal("1000000.00") and position.overdue_amount > 0
    body = response.content.decode()
    assert 'data-testid="credit-overdue"' in body and 'data-testid="credit-available"' in body
    assert [invoice.dealer_id for invoice in response.context["rows"]] == [dealer_one.pk] * 2


def test_a_rep_outside_the_territory_gets_404_on_every_tab(client_as, hq_admin, sales_rep, dealer_one, world):
    user_update(actor=hq_admin, user=sales_rep, regions=[region("440100")])
    client = client_as(sales_rep)
    assert client.get(reverse("dealers:detail", args=[dealer_one.pk])).status_code == 404
    for key in TABS:
        assert client.get(tab_url(dealer_one, key)).status_code == 404, key
    assert client.get(tab_url(dealer_one, "no-such-tab")).status_code == 404


def test_a_rep_in_the_territory_sees_the_tabs(client_as, hq_admin, sales_rep, dealer_one, dealer_two, world):
    user_update(actor=hq_admin, user=sales_rep, regions=[region("330100")])
    client = client_as(sales_rep)
    for key in TABS:
        # Payments are finance's (record_payment), as on the payments list: the rep has no such tab.
        assert client.get(tab_url(dealer_one, key)).status_code == (404 if key == "payments" else 200), key
    counts = counts_on(client.get(tab_url(dealer_one, "orders")))
    assert counts["orders"] == 2 and counts["leads"] == 2 and "payments" not in counts
    # Staff management stays with HQ administrators: no link to a list the rep cannot open.
    assert client.get(tab_url(dealer_one, "staff")).context["see_all"] is None


def test_the_documents_tab_reviews_and_comes_back_to_itself(client_as, hq_admin, dealer_one, world):
    document = dealer_one.documents.filter(status="pending").first()
    client = client_as(hq_admin)
    response = client.post(reverse("dealers:document_verify", args=[dealer_one.pk, document.pk]), {"tab": "documents"})
    assert response.status_code == 302 and response["Location"] == tab_url(dealer_one, "documents")
    document.refresh_from_db()
    assert document.status == "verified"


@pytest.mark.parametrize("who", ["hq_admin", "rep_in_territory"])
def test_the_overview_and_every_tab_cost_the_same_queries_with_3_or_30_rows(
    client_as, hq_admin, sales_rep, dealer_one, world, who
):
    user = hq_admin
    if who == "rep_in_territory":
        user_update(actor=hq_admin, user=sales_rep, regions=[region("330100")])
        user = sales_rep
    tabs = [key for key in TABS if user is hq_admin or key != "payments"]
    urls = [reverse("dealers:detail", args=[dealer_one.pk]), *(tab_url(dealer_one, key) for key in tabs)]
    client = client_as(user)
    world.add(dealer_one)  # 3 rows of every kind
    client.get(urls[0])
    few = {url: count_queries(client, url) for url in urls}
    world.add(dealer_one, 27)
    many = {url: count_queries(client, url) for url in urls}
    assert few == many
    # 30 orders make two pages of 20; a page past the end shows the last one.
    last = client.get(tab_url(dealer_one, "orders"), {"page": 99}).context["page_obj"]
    assert (last.number, len(last.object_list)) == (2, 10)
