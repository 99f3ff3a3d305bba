"""Global search in the top bar: head office finds dealers, orders, invoices, leads and products by what
people quote on the phone (codes, numbers, USCC, phones, names); a rep only inside the territory; a dealer
only its own. Every query costs the same number of queries, and no input breaks the page."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealers.services import contact_add
from dms import search
from leads import services as lead_services
from orders import services as order_services
from tests.factories import DealerFactory, region
from tests.factories.orders import ProductFactory, ProductLineFactory, WarehouseFactory, authorize, credit, stock

pytestmark = pytest.mark.django_db


def shipped(actor, dealer, product):
    order = order_services.order_create(actor=actor, dealer=dealer, lines=[{"product": product, "quantity": 1}])
    order = order_services.order_submit(actor=actor, order=order)
    if order.status != order.Status.APPROVED:
        order = order_services.order_approve(actor=actor, order=order, reason="search")
    return order_services.order_ship(actor=actor, order=order)


@pytest.fixture
def world(hq_admin, dealer_one, dealer_two):
    """Dealer 1 in 杭州 and dealer 2 in 广州, each with a contact, a shipped order (so an invoice) and a lead."""
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    other_line = ProductLineFactory(code="laundry", name="洗衣机", name_en="Laundry")
    warehouse = WarehouseFactory(code="HZ")
    kettle = ProductFactory(sku="KT-1700", name="不锈钢电水壶", name_en="Steel kettle", product_line=line)
    washer = ProductFactory(sku="WM-9000", name="滚筒洗衣机", name_en="Front loader", product_line=other_line)
    for dealer in (dealer_one, dealer_two):
        authorize(dealer, line, valid_from=datetime.date(2020, 1, 1))
        credit(dealer, "100000.00", warehouse=warehouse)
        dealer.lead_capacity = 100
        dealer.save()
    dealer_one.served_regions.set([region("330100")])
    dealer_two.served_regions.set([region("440100")])
    for product in (kettle, washer):
        stock(product, warehouse, 100)
    contact_add(actor=hq_admin, dealer=dealer_one, name="王经理", phone="138 0000 1111")
    contact_add(actor=hq_admin, dealer=dealer_two, name="陈经理", phone="139-0000-2222")
    orders = [shipped(hq_admin, dealer, kettle) for dealer in (dealer_one, dealer_two)]
    leads = []
    for dealer, place, phone in ((dealer_one, "330106", "13712345678"), (dealer_two, "440100", "13687654321")):
        lead, _created = lead_services.lead_create(
            actor=hq_admin,
            source="hotline",
            contact_name=f"{dealer.name}的客户",
            phone=phone,
            region=region(place),
            product_line=line,
        )
        lead_services.lead_assign_manually(actor=hq_admin, lead=lead, dealer=dealer)
        leads.append(lead)
    return SimpleNamespace(kettle=kettle, washer=washer, orders=orders, leads=leads)


def found(client, q: str, url: str = "/hq/search/") -> list[str]:
    """The links of the results page for ``q``."""
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return [result.url for section in response.context["sections"] for result in section.results]


def dealer_url(dealer) -> str:
    return f"/hq/dealers/{dealer.pk}/"


@pytest.mark.parametrize(
    "q",
    ["D00001", "d0000", "杭州一号", "杭州一号经销商有限公司", "13800001111", "138 0000 1111", "王经理", "uscc"],
)
def test_head_office_finds_a_dealer_by_code_name_uscc_and_contact(client_as, hq_admin, dealer_one, world, q):
    if q == "uscc":
        q = dealer_one.uscc
    assert dealer_url(dealer_one) in found(client_as(hq_admin), q)


def test_head_office_finds_orders_invoices_leads_and_products(client_as, hq_admin, dealer_one, world):
    client = client_as(hq_admin)
    order, _other = world.orders
    lead = world.leads[0]
    assert found(client, order.number)[0] == f"/hq/orders/{order.pk}/"
    assert f"/hq/orders/{order.pk}/" in found(client, order.number.removeprefix("SO-"))
    assert f"/hq/invoices/{order.invoices.get().pk}/" in found(client, order.invoices.get().number.lower())
    assert f"/hq/leads/{lead.pk}/" in found(client, lead.number)
    assert f"/hq/leads/{lead.pk}/" in found(client, "137 1234 5678")
    assert f"/hq/leads/{lead.pk}/" in found(client, "+86 13712345678")
    assert f"/hq/leads/{lead.pk}/" in found(client, "1371234")
    assert f"/hq/products/{world.kettle.pk}/" in found(client, "kt-17")
    assert f"/hq/products/{world.washer.pk}/" in found(client, "洗衣机")


def test_the_results_page_shows_sections_and_the_top_bar_gets_a_short_list(client_as, hq_admin, dealer_one, world):
    client = client_as(hq_admin)
    page = client.get("/hq/search/", {"q": "D00001"})
    assert b'data-testid="search-section" data-kind="dealer"' in page.content
    assert dealer_one.name.encode() in page.content
    assert page.templates[0].name == "search/results.html"
    dropdown = client.get("/hq/search/", {"q": "D00001"}, HTTP_HX_REQUEST="true")
    assert dropdown.templates[0].name == "partials/search_dropdown.html"
    assert f'href="{dealer_url(dealer_one)}"'.encode() in dropdown.content
    assert "HX-Request" in dropdown["Vary"]
    assert b'data-testid="search-input"' in client.get("/hq/").content


def test_a_rep_finds_nothing_outside_the_territory(client_as, sales_rep, dealer_one, dealer_two, world):
    sales_rep.regions.add(region("330000"))
    client = client_as(sales_rep)
    assert dealer_url(dealer_one) in found(client, "D0000")
    assert found(client, "D00002") == []
    assert found(client, "13900002222") == []
    assert found(client, "陈经理") == []
    theirs = world.orders[1]
    assert found(client, theirs.number) == []
    assert found(client, theirs.invoices.get().number) == []
    assert found(client, world.leads[1].number) == []
    assert found(client, "13687654321") == []
    assert found(client, world.orders[0].number) == [f"/hq/orders/{world.orders[0].pk}/"]


def test_a_dealer_finds_only_its_own(client_as, dealer_admin, world):
    client = client_as(dealer_admin)
    mine, theirs = world.orders
    portal = "/portal/search/"
    assert found(client, mine.number, portal) == [f"/portal/orders/{mine.pk}/"]
    assert found(client, mine.invoices.get().number, portal) == [f"/portal/orders/{mine.pk}/"]
    assert found(client, theirs.number, portal) == []
    assert found(client, theirs.invoices.get().number, portal) == []
    assert found(client, "13712345678", portal) == [f"/portal/leads/{world.leads[0].pk}/"]
    assert found(client, "13687654321", portal) == []
    assert found(client, world.leads[1].number, portal) == []
    assert found(client, "KT-1700", portal) == ["/portal/catalogue/?q=KT-1700"]
    assert found(client, "WM-9000", portal) == []  # a line the dealer is not authorised for
    assert found(client, "D00002", portal) == []
    assert client.get("/hq/search/", {"q": "D00001"}).status_code == 403
    assert b'data-testid="search-toggle"' in client.get("/portal/").content


def test_a_dealer_finds_a_lead_it_gave_back_by_number_but_not_by_phone(client_as, dealer_admin, world):
    lead = world.leads[0]
    assignment = lead.assignments.get()
    lead_services.assignment_decline(actor=dealer_admin, assignment=assignment, reason="太远")
    client = client_as(dealer_admin)
    assert found(client, lead.number, "/portal/search/") == [f"/portal/leads/{lead.pk}/"]
    assert found(client, "13712345678", "/portal/search/") == []
    page = client.get("/portal/search/", {"q": lead.number})
    assert "的客户" not in page.content.decode()


def queries(client, q: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/hq/search/", {"q": q}).status_code == 200
    return len(ctx.captured_queries)


def test_a_search_costs_the_same_number_of_queries_however_many_rows_match(client_as, hq_admin, sales_rep, world):
    """One query per provider (a rep's scope adds its own fixed reads), never one per row found."""
    sales_rep.regions.add(region("330000"))
    for user in (hq_admin, sales_rep):
        client = client_as(user)
        client.get("/hq/search/", {"q": "T0"})
        few, everything = queries(client, "T0"), queries(client, "no such thing")
        DealerFactory.create_batch(25)
        assert len(found(client, "T0")) == 20
        assert queries(client, "T0") == few
        assert queries(client, "no such thing") == everything
    # An administrator's scope needs no reads of its own: each kind searched costs exactly one query.
    admin = client_as(hq_admin)
    admin.get("/hq/search/")
    assert queries(admin, "no such thing") - queries(admin, "") == len(search.providers(search.AUDIENCE_HQ)) == 5


def test_a_kind_is_searched_only_for_users_who_may_open_its_page(client_as, monkeypatch, hq_admin, hq_staff, world):
    queue = search.Provider(
        kind="queue",
        title="Queue",
        icon="bi-hourglass",
        audience=search.AUDIENCE_HQ,
        find=lambda user, query, limit: [search.Result("Q", "", "/hq/orders/approvals/", "queue")],
        page="orders:approvals",
    )
    monkeypatch.setitem(search._providers, (search.AUDIENCE_HQ, "queue"), queue)
    assert "/hq/orders/approvals/" in found(client_as(hq_admin), "no such thing")
    assert "/hq/orders/approvals/" not in found(client_as(hq_staff), "no such thing")


@pytest.mark.parametrize(
    "q",
    [
        "",
        " ",
        "a",
        "x" * 5000,
        "\x00\x01",
        "SO-\x00",
        "%%",
        "__",
        "L99999999999999999999",
        "😀😀",
        "\u202e\u200b",
        "'--",
    ],
)
def test_odd_queries_find_nothing_and_never_fail(client_as, hq_admin, dealer_admin, world, q):
    for client, url in ((client_as(hq_admin), "/hq/search/"), (client_as(dealer_admin), "/portal/search/")):
        assert found(client, q, url) == []
        assert client.get(url, {"q": q}, HTTP_HX_REQUEST="true").status_code == 200


def test_a_too_long_too_short_or_control_character_query_says_so(client_as, hq_admin):
    client = client_as(hq_admin)
    assert b'data-testid="search-message"' in client.get("/hq/search/", {"q": "x" * 101}).content
    assert b'data-testid="search-message"' in client.get("/hq/search/", {"q": "x"}).content
    assert b'data-testid="search-message"' in client.get("/hq/search/", {"q": "SO-\x1b[2J"}).content
