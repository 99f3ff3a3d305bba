"""Every list sorts by allow-listed, indexed columns, offers page numbers and a page size, and keeps
each user's saved filters to that user."""

import csv
import datetime
import io

import django_filters
import pytest
from django.urls import reverse

from dealers.filters import ApplicationFilterSet, DealerFilterSet
from dms.accounts.filters import UserFilterSet
from dms.accounts.models import Role
from dms.events.filters import EventFilterSet
from dms.lists import SortFilter
from leads.filters import (
    DealerRegistrationFilterSet,
    ImportFilterSet,
    LeadFilterSet,
    LeadQueueFilterSet,
    RegistrationFilterSet,
    RuleFilterSet,
    SourceFilterSet,
)
from orders import services
from orders.filters import (
    ApprovalQueueFilterSet,
    InvoiceFilterSet,
    OrderFilterSet,
    PaymentFilterSet,
    ProductFilterSet,
    StockFilterSet,
)
from orders.forms.portal import CatalogueFilterSet
from tests.factories import DealerFactory, UserFactory, region
from tests.leads import test_desk_views as lead_desk
from tests.orders.test_desk_views import place
from tests.orders.test_reports import issue_invoice
from tests.platform.query_budget import count_queries

# Fixtures of the leads tests, used here too.
line = lead_desk.line
take = lead_desk.take

pytestmark = pytest.mark.django_db

SORTED_FILTERSETS = [
    DealerFilterSet,
    ApplicationFilterSet,
    OrderFilterSet,
    ProductFilterSet,
    StockFilterSet,
    InvoiceFilterSet,
    PaymentFilterSet,
    LeadFilterSet,
    RegistrationFilterSet,
    UserFilterSet,
    EventFilterSet,
    ApprovalQueueFilterSet,
    LeadQueueFilterSet,
    DealerRegistrationFilterSet,
    RuleFilterSet,
    SourceFilterSet,
    ImportFilterSet,
    CatalogueFilterSet,
]


def _indexed_columns(model) -> set[str]:
    """Fields that lead some index of ``model``'s table: keys, unique fields, ``db_index`` and Meta indexes."""
    meta = model._meta
    columns = {f.name for f in meta.concrete_fields if f.primary_key or f.unique or f.db_index}
    columns |= {index.fields[0].lstrip("-") for index in meta.indexes if index.fields}
    columns |= {c.fields[0] for c in meta.constraints if getattr(c, "fields", None)}
    columns |= {fields[0] for fields in meta.unique_together}
    return columns


@pytest.mark.parametrize("filterset", SORTED_FILTERSETS, ids=lambda f: f.__name__)
def test_every_sort_key_is_backed_by_an_index(filterset):
    sort = filterset.base_filters["sort"]
    assert isinstance(sort, SortFilter)
    model = filterset._meta.model
    missing = [path for path in sort.param_map.values() if path not in _indexed_columns(model)]
    assert not missing, f"{model.__name__} sorts by unindexed {missing}"


def test_an_unknown_sort_key_is_ignored_not_an_error():
    class Names(django_filters.FilterSet):
        sort = SortFilter(fields={"name": "username"})

        class Meta:
            model = UserFilterSet._meta.model
            fields = []

    names = Names({"sort": "password"})
    assert names.is_valid() and names.form.cleaned_data["sort"] == ""


@pytest.fixture
def dealers(db):
    """Three dealers whose names sort differently from their codes."""
    for code, name in [("D00101", "丙经销商"), ("D00102", "甲经销商"), ("D00103", "乙经销商")]:
        DealerFactory(code=code, name=name)


def _dealer_codes(response) -> list[str]:
    assert response.status_code == 200
    return [dealer.code for dealer in response.context["dealers"]]


@pytest.mark.parametrize(
    ("sort", "codes"),
    [
        ("code", ["D00101", "D00102", "D00103"]),
        ("-code", ["D00103", "D00102", "D00101"]),
        ("name", ["D00101", "D00102", "D00103"]),
        ("-name", ["D00103", "D00102", "D00101"]),
    ],
)
def test_the_dealer_list_sorts_by_a_column_both_ways(client_as, hq_admin, dealers, sort, codes):
    name_order = sorted(["丙经销商", "甲经销商", "乙经销商"])
    if sort.endswith("name"):
        by_name = {"丙经销商": "D00101", "甲经销商": "D00102", "乙经销商": "D00103"}
        codes = [by_name[n] for n in (name_order if sort == "name" else name_order[::-1])]
    assert _dealer_codes(client_as(hq_admin).get(reverse("dealers:list"), {"sort": sort})) == codes


@pytest.mark.parametrize("key", ["code", "name", "status", "tier"])
@pytest.mark.parametrize("direction", ["", "-"])
def test_every_dealer_sort_key_answers_on_the_page_and_in_the_api(client_as, api_as, hq_admin, dealers, key, direction):
    page = client_as(hq_admin).get(reverse("dealers:list"), {"sort": f"{direction}{key}"})
    assert page.status_code == 200 and len(page.context["dealers"]) == 3
    api = api_as(hq_admin).get("/api/v1/dealers/", {"sort": f"{direction}{key}"})
    assert api.status_code == 200 and api.json()["count"] == 3


def test_the_dealer_api_sorts_as_the_page_does(api_as, client_as, hq_admin, dealers):
    for sort in ("name", "-name", "-code"):
        api = [row["code"] for row in api_as(hq_admin).get("/api/v1/dealers/", {"sort": sort}).json()["results"]]
        assert api == _dealer_codes(client_as(hq_admin).get(reverse("dealers:list"), {"sort": sort}))


def test_the_column_header_links_to_the_other_direction_and_keeps_the_filters(client_as, hq_admin, dealers):
    html = client_as(hq_admin).get(reverse("dealers:list"), {"sort": "name", "status": "active"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?sort=-name&amp;status=active"' in html
    assert 'href="?sort=code&amp;status=active"' in html


@pytest.mark.parametrize("sort", ["password", "-", "name,code", "-owner__password", "%00"])
def test_an_unknown_sort_key_keeps_the_list_in_its_own_order(client_as, api_as, hq_admin, dealers, sort):
    assert _dealer_codes(client_as(hq_admin).get(reverse("dealers:list"), {"sort": sort})) == [
        "D00101",
        "D00102",
        "D00103",
    ]
    assert api_as(hq_admin).get("/api/v1/dealers/", {"sort": sort}).status_code == 200


def test_sorting_costs_no_extra_query(client_as, hq_admin, dealers):
    client = client_as(hq_admin)
    client.get(reverse("dealers:list"))
    plain = count_queries(client, reverse("dealers:list"))
    assert count_queries(client, reverse("dealers:list") + "?sort=-name") == plain


@pytest.fixture
def many_users(hq_admin):
    """160 users with ``hq_admin``."""
    UserFactory.create_batch(159)


@pytest.mark.parametrize(("asked", "shown"), [("50", 50), ("100", 100), ("20", 20), ("", 25), ("7", 25), ("abc", 25)])
def test_the_page_size_is_one_of_those_offered(client_as, hq_admin, many_users, asked, shown):
    response = client_as(hq_admin).get(reverse("accounts:user_list"), {"per_page": asked})
    assert response.status_code == 200 and len(response.context["page_obj"].object_list) == shown


def test_page_numbers_skip_the_middle_and_links_keep_the_filters(client_as, hq_admin, many_users):
    html = client_as(hq_admin).get(reverse("accounts:user_list"), {"per_page": "20", "sort": "-username"}).content
    html = html.decode()
    # 160 users in pages of 20: 1 2 3 … 8, page 1 current.
    assert 'aria-current="page"><span class="page-link">1</span>' in html
    assert 'href="?per_page=20&amp;sort=-username&amp;page=3"' in html
    assert 'href="?per_page=20&amp;sort=-username&amp;page=8"' in html
    assert "page=4" not in html and "…" in html
    assert '<option value="20" selected>' in html
    assert '<input type="hidden" name="sort" value="-username">' in html


@pytest.fixture
def other_admin(db):
    return UserFactory(username="boss2", role=Role.HQ_ADMIN)


def test_a_saved_filter_round_trips_and_only_its_owner_sees_it(client_as, hq_admin, other_admin, dealers):
    owner = client_as(hq_admin)
    list_url = reverse("dealers:list")
    response = owner.post(
        reverse("saved_filter_create"),
        {"name": "活跃的", "path": list_url, "query": "status=active&sort=-name&page=3"},
    )
    assert response.status_code == 302 and response["Location"] == f"{list_url}?status=active&sort=-name"
    page = owner.get(list_url).content.decode()
    assert "活跃的" in page and f'href="{list_url}?status=active&amp;sort=-name"' in page
    assert "活跃的" not in client_as(other_admin).get(list_url).content.decode()

    saved = hq_admin.saved_filters.get()
    assert client_as(other_admin).post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 404
    assert owner.post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 302
    assert not hq_admin.saved_filters.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "a\x07b"}, "name", None),
        ({"name": "ok", "path": "/hq/"}, "path", "This page has no filters to save."),
        ({"name": "ok", "path": "https://evil.example/"}, "path", "This page has no filters to save."),
        ({"name": "ok", "path": "//evil.example/hq/dealers/"}, "path", "This page has no filters to save."),
    ],
)
def test_a_bad_saved_filter_is_a_field_error(client_as, hq_admin, data, field, message):
    client = client_as(hq_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(reverse("saved_filter_create"), {"path": reverse("dealers:list"), "query": "", **data})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors and (message is None or message in errors[field])
    assert not hq_admin.saved_filters.exists()


@pytest.fixture
def three_orders(shop, hq_admin, dealer_one):
    """Three submitted orders of 3, 1 and 2 kettles, in that order."""
    return [place(hq_admin, dealer_one, (shop.kettle, quantity)) for quantity in (3, 1, 2)]


@pytest.mark.parametrize(("sort", "quantities"), [("amount", [1, 2, 3]), ("-amount", [3, 2, 1]), ("number", [3, 1, 2])])
def test_orders_sort_by_amount_and_number_on_the_page_and_in_the_api(
    client_as, api_as, hq_admin, three_orders, sort, quantities
):
    by_quantity = {order.lines.get().quantity: order.number for order in three_orders}
    expected = [by_quantity[q] for q in quantities]
    page = client_as(hq_admin).get(reverse("orders:list"), {"sort": sort})
    assert [order.number for order in page.context["orders"]] == expected
    api = api_as(hq_admin).get("/api/v1/orders/", {"sort": sort}).json()["results"]
    assert [row["number"] for row in api] == expected


@pytest.fixture
def three_invoices(shop, hq_admin, dealer_one):
    """Invoices for 3, 1 and 2 kettles, issued in that order."""
    return [issue_invoice(dealer_one, shop.kettle, quantity, actor=hq_admin) for quantity in (3, 1, 2)]


@pytest.mark.parametrize(("sort", "quantities"), [("amount", [1, 2, 3]), ("-amount", [3, 2, 1])])
def test_invoices_sort_on_the_page_and_in_the_export(client_as, hq_admin, three_invoices, sort, quantities):
    by_quantity = {invoice.order.lines.get().quantity: invoice.number for invoice in three_invoices}
    expected = [by_quantity[q] for q in quantities]
    client = client_as(hq_admin)
    page = client.get(reverse("orders:invoices"), {"sort": sort})
    assert [invoice.number for invoice in page.context["invoices"]] == expected
    export = client.get(reverse("orders:invoices"), {"sort": sort, "export": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]
    assert [row[0] for row in rows] == expected


@pytest.mark.parametrize(
    ("sort", "amounts"), [("amount", ["10.00", "20.00", "30.00"]), ("-amount", ["30.00", "20.00", "10.00"])]
)
def test_payments_sort_by_amount_both_ways(client_as, hq_admin, dealer_one, sort, amounts):
    for n, amount in enumerate(["20", "30", "10"]):
        services.payment_record(
            actor=hq_admin, dealer=dealer_one, amount=amount, received_on=datetime.date(2026, 1, 1), reference=f"R{n}"
        )
    page = client_as(hq_admin).get(reverse("orders:payments"), {"sort": sort})
    assert [str(payment.amount) for payment in page.context["payments"]] == amounts


def test_a_dealer_sorts_its_own_orders(client_as, dealer_admin, three_orders):
    page = client_as(dealer_admin).get(reverse("portal:orders"), {"sort": "-amount"})
    assert [order.lines.get().quantity for order in page.context["orders"]] == [3, 2, 1]


@pytest.fixture
def three_leads(line):
    return [take(line, n=n, company=company) for n, company in enumerate(["丙公司", "甲公司", "乙公司"], start=1)]


@pytest.mark.parametrize("sort", ["company", "-company", "created", "-created", "status", "source"])
def test_leads_sort_on_the_page_and_in_the_api(client_as, api_as, hq_admin, three_leads, sort):
    key = {"company": lambda lead: (lead.company, lead.pk), "created": lambda lead: (lead.created_at, lead.pk)}
    page = client_as(hq_admin).get(reverse("leads:list"), {"sort": sort})
    listed = list(page.context["leads"])
    api = [row["id"] for row in api_as(hq_admin).get("/api/v1/leads/", {"sort": sort}).json()["results"]]
    assert api == [lead.pk for lead in listed]
    field = sort.removeprefix("-")
    if field in key:
        assert listed == sorted(three_leads, key=key[field], reverse=sort.startswith("-"))


LISTS = [
    ("hq_admin", "dealers:list", DealerFilterSet),
    ("hq_admin", "dealers:application_list", ApplicationFilterSet),
    ("hq_admin", "orders:list", OrderFilterSet),
    ("hq_admin", "orders:approvals", ApprovalQueueFilterSet),
    ("hq_admin", "orders:products", ProductFilterSet),
    ("hq_admin", "orders:stock", StockFilterSet),
    ("hq_admin", "orders:invoices", InvoiceFilterSet),
    ("hq_admin", "orders:payments", PaymentFilterSet),
    ("hq_admin", "leads:list", LeadFilterSet),
    ("hq_admin", "leads:unassigned", LeadQueueFilterSet),
    ("hq_admin", "leads:registrations", RegistrationFilterSet),
    ("hq_admin", "leads:rules", RuleFilterSet),
    ("hq_admin", "leads:sources", SourceFilterSet),
    ("hq_admin", "leads:imports", ImportFilterSet),
    ("hq_admin", "accounts:user_list", UserFilterSet),
    ("hq_admin", "hq:audit", EventFilterSet),
    ("dealer_admin", "portal:orders", OrderFilterSet),
    ("dealer_admin", "portal:catalogue", CatalogueFilterSet),
    ("dealer_admin", "portal:leads", LeadQueueFilterSet),
    ("dealer_admin", "portal:lead_pipeline", LeadQueueFilterSet),
    ("dealer_admin", "portal:registrations", DealerRegistrationFilterSet),
]


@pytest.mark.parametrize(("role", "name", "filterset"), LISTS, ids=[name for _role, name, _f in LISTS])
def test_every_list_links_to_its_sorts_and_answers_each_key_both_ways(request, client_as, role, name, filterset):
    client = client_as(request.getfixturevalue(role))
    keys = list(filterset.base_filters["sort"].param_map)
    page = client.get(reverse(name)).content.decode()
    assert any(f"sort={key}" in page for key in keys), name
    for key in keys:
        for value in (key, f"-{key}"):
            assert client.get(reverse(name), {"sort": value}).status_code == 200, (name, value)


@pytest.mark.parametrize(
    ("name", "rows", "sort"),
    [("orders:list", "three_orders", "-amount"), ("leads:list", "three_leads", "company")],
)
def test_sorting_orders_and_leads_costs_no_extra_query(request, client_as, hq_admin, name, rows, sort):
    request.getfixturevalue(rows)
    client = client_as(hq_admin)
    client.get(reverse(name))
    plain = count_queries(client, reverse(name))
    assert count_queries(client, f"{reverse(name)}?sort={sort}") == plain


@pytest.mark.parametrize("value", ["²", "１", "9" * 30, "-1", "0", "3,²"])
def test_odd_numbers_in_the_address_never_break_a_page(client_as, api_as, hq_admin, value):
    """ "²" and "１" pass ``str.isdigit`` but are no ASCII number: every page reads them as no number at all."""
    client = client_as(hq_admin)
    pages = [
        (reverse("orders:list"), {"per_page": value, "dealer": value}),
        (reverse("orders:invoices"), {"dealer": value, "per_page": value}),
        (reverse("leads:list"), {"dealer": value}),
        (reverse("orders:create"), {"dealer": value}),
        (reverse("orders:payment_create"), {"dealer": value, "recorded": value}),
        (reverse("dealers:picker_dealers"), {"ids": value}),
        (reverse("dealers:picker_regions"), {"ids": value}),
        (reverse("orders:picker_products"), {"ids": value}),
    ]
    for url, params in pages:
        assert client.get(url, params).status_code == 200, url
    assert api_as(hq_admin).get("/api/v1/orders/", {"page_size": value}).status_code in (200, 400)


def test_the_region_picker_names_chosen_regions_by_code(client_as, hq_admin):
    hangzhou = region("330100")
    answer = client_as(hq_admin).get(reverse("dealers:picker_regions"), {"ids": hangzhou.code}).json()
    assert [row["id"] for row in answer["results"]] == [hangzhou.code]
