"""Imports of counted stock and of payments: every row error listed, nothing written on error, all rows applied."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook

from dms.errors import PermissionDeniedError, RuleViolation
from dms.spreadsheets import ImportFileError, read_rows
from orders import importing, services
from orders.models import Invoice, Payment, StockLevel, StockMovement
from orders.views.hq.finance import PaymentImportView, StockImportView
from tests.factories import UserFactory
from tests.factories.orders import grant, stock
from tests.orders.test_reports import issue_invoice

pytestmark = pytest.mark.django_db

STOCK_URL = "/hq/stock/import/"
PAYMENT_URL = "/hq/payments/import/"


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, in the code and on the pages."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_as():
    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


def csv_upload(header, rows, *, name="import.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def xlsx_upload(header, rows, *, name="import.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def errors_of(report) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in report.errors}


def levels(shop) -> dict:
    return {(lvl.warehouse.code, lvl.product.sku): (lvl.on_hand, lvl.reserved) for lvl in StockLevel.objects.all()}


@pytest.fixture
def storekeeper(db):
    user = UserFactory(username="store", role="hq_staff", sees_all_without_regions=True)
    grant(user, "adjust_stock")
    return user


@pytest.fixture
def cashier(db):
    user = UserFactory(username="cashier", role="hq_staff", sees_all_without_regions=True)
    grant(user, "record_payment")
    return user


# --- Stock counts -------------------------------------------------------------------------------------------------


def test_stock_files_are_read_with_chinese_or_english_headers(shop):
    chinese = read_rows(
        csv_upload(["仓库编码", "物料编码", "产品名称", "库存"], [["HZ", "K-100", "电水壶", "120"]]),
        importing.STOCK_LAYOUT,
    )
    english = read_rows(
        xlsx_upload(["Warehouse code", "SKU", "On hand"], [["HZ", "K-100", 120]]), importing.STOCK_LAYOUT
    )
    assert chinese == english == [{"_row": 2, "warehouse": "HZ", "sku": "K-100", "on_hand": "120"}]


def test_a_stock_file_without_the_required_columns_is_refused(shop):
    with pytest.raises(ImportFileError, match="Required columns are missing: On hand"):
        read_rows(csv_upload(["仓库", "SKU"], [["HZ", "K-100"]]), importing.STOCK_LAYOUT)


def test_stock_dry_run_lists_every_row_error_and_writes_nothing(shop, storekeeper, dealer_one):
    stock(shop.kettle, shop.spare, 50, reserved=30)
    before, movements = levels(shop), StockMovement.objects.count()
    rows = [
        {"_row": 2, "warehouse": "HZ", "sku": "K-100", "on_hand": "80"},
        {"_row": 3, "warehouse": "XX", "sku": "K-100", "on_hand": "1"},
        {"_row": 4, "warehouse": "HZ", "sku": "NOPE", "on_hand": "1"},
        {"_row": 5, "warehouse": "HZ", "sku": "K-200", "on_hand": "2.5"},
        {"_row": 6, "warehouse": "hz", "sku": "k-100", "on_hand": "70"},
        {"_row": 7, "warehouse": "SH", "sku": "K-100", "on_hand": "29"},
        {"_row": 8, "sku": "L-100"},
    ]
    report = importing.plan_stock_counts(actor=storekeeper, rows=rows)
    assert errors_of(report) == {
        (3, "warehouse"),
        (4, "sku"),
        (5, "on_hand"),
        (6, "sku"),
        (7, "on_hand"),
        (8, "warehouse"),
        (8, "on_hand"),
    }
    assert "30 units are reserved for orders, more than the count 29." in {e.message for e in report.errors}
    assert report.valid == 1 and not report.ok
    assert report.errors[0].label == "Warehouse code"
    assert levels(shop) == before and StockMovement.objects.count() == movements


def test_applying_counts_sets_every_level_with_a_movement(shop, storekeeper):
    rows = [
        {"_row": 2, "warehouse": "HZ", "sku": "K-100", "on_hand": "80"},
        {"_row": 3, "warehouse": "SH", "sku": "K-200", "on_hand": "50"},
        {"_row": 4, "warehouse": "SH", "sku": "L-100", "on_hand": "65"},
    ]
    report = importing.apply_stock_counts(actor=storekeeper, rows=rows, reason="月末盘点")
    assert report.created == 3 and report.changed == 2
    assert levels(shop)[("HZ", "K-100")] == (80, 0)
    assert levels(shop)[("SH", "L-100")] == (65, 0)
    moved = StockMovement.objects.filter(kind=StockMovement.Kind.IMPORT).order_by("product__sku")
    assert [(m.product.sku, m.on_hand_delta, m.reason) for m in moved] == [
        ("K-100", -20, "月末盘点"),
        ("L-100", 15, "月末盘点"),
    ]


def test_a_count_below_what_was_reserved_since_the_dry_run_writes_nothing(shop, storekeeper):
    rows = [
        {"_row": 2, "warehouse": "HZ", "sku": "K-100", "on_hand": "80"},
        {"_row": 3, "warehouse": "SH", "sku": "K-200", "on_hand": "10"},
    ]
    assert importing.plan_stock_counts(actor=storekeeper, rows=rows).ok
    stock(shop.oven, shop.spare, 50, reserved=20)
    before = levels(shop)
    report = importing.plan_stock_counts(actor=storekeeper, rows=rows)
    assert errors_of(report) == {(3, "on_hand")}
    assert importing.apply_stock_counts(actor=storekeeper, rows=rows, reason="count").created == 0
    assert levels(shop) == before


def test_counting_stock_needs_the_stock_permission(shop, hq_staff):
    with pytest.raises(PermissionDeniedError):
        importing.plan_stock_counts(
            actor=hq_staff, rows=[{"_row": 2, "warehouse": "HZ", "sku": "K-100", "on_hand": "1"}]
        )


def test_stock_import_page_checks_then_applies_on_confirmation(shop, storekeeper, client_as):
    client = client_as(storekeeper)
    upload = csv_upload(["仓库编码", "SKU", "库存"], [["HZ", "K-100", "90"], ["SH", "L-100", "40"]])
    response = client.post(STOCK_URL, {"file": upload, "reason": "年中盘点"})
    assert response.status_code == 200
    report, token = response.context["report"], response.context["token"]
    assert report.ok and token and report.changed == 2
    assert levels(shop)[("HZ", "K-100")] == (100, 0)  # nothing written by the dry run
    response = client.post(STOCK_URL, {"token": token})
    assert response.status_code == 302 and response["Location"] == "/hq/stock/"
    assert levels(shop)[("HZ", "K-100")] == (90, 0) and levels(shop)[("SH", "L-100")] == (40, 0)
    assert StockMovement.objects.filter(kind="import", reason="年中盘点").count() == 2
    # The same confirmation twice imports once.
    response = client.post(STOCK_URL, {"token": token}, follow=True)
    assert "expired or was already done" in response.content.decode()


def test_stock_import_page_shows_the_row_errors(shop, storekeeper, client_as):
    upload = csv_upload(["Warehouse code", "SKU", "On hand"], [["HZ", "K-100", "-1"], ["ZZ", "K-100", "3"]])
    response = client_as(storekeeper).post(STOCK_URL, {"file": upload, "reason": "count"})
    body = response.content.decode()
    assert response.context["token"] is None
    assert 'data-testid="import-errors"' in body and "Nothing has been imported" in body
    assert "No warehouse has the code “ZZ”." in body and "Enter a whole number of units, 0 or more." in body


def test_stock_import_page_refuses_users_without_the_permission(shop, hq_staff, client_as):
    client = client_as(hq_staff)
    assert 'data-testid="import-refused"' in client.get(STOCK_URL).content.decode()
    upload = csv_upload(["仓库", "SKU", "库存"], [["HZ", "K-100", "1"]])
    response = client.post(STOCK_URL, {"file": upload, "reason": "count"})
    assert "You do not have permission to do this." in response.content.decode()
    assert levels(shop)[("HZ", "K-100")] == (100, 0)


def test_the_blank_stock_sheet_has_chinese_titles(shop, storekeeper, client_as):
    response = client_as(storekeeper).get(STOCK_URL, {"template": "csv"})
    assert response.content.decode("utf-8-sig").strip() == "仓库编码,物料编码,库存"
    assert StockImportView.layout is importing.STOCK_LAYOUT


# --- Payments -----------------------------------------------------------------------------------------------------


def test_payment_files_are_read_with_bank_headers(shop):
    rows = read_rows(
        csv_upload(
            ["客户编码", "客户名称", "到账金额", "到账日期", "交易流水号", "付款方式", "摘要"],
            [["D00001", "杭州一号", "1,200.50", "2026/3/5", "BK-1", "电汇", "三月货款"]],
        ),
        importing.PAYMENT_LAYOUT,
    )
    assert rows == [
        {
            "_row": 2,
            "dealer": "D00001",
            "amount": "1,200.50",
            "received_on": "2026/3/5",
            "reference": "BK-1",
            "method": "电汇",
            "note": "三月货款",
        }
    ]


def test_payment_dry_run_lists_every_row_error_and_writes_nothing(shop, dealer_one, dealer_two, cashier, hq_admin):
    services.payment_record(
        actor=hq_admin, dealer=dealer_one, amount=Decimal("10"), received_on=datetime.date.today(), reference="OLD-1"
    )
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    rows = [
        {"_row": 2, "dealer": "D00001", "amount": "500.00", "received_on": "2026-01-05", "reference": "NEW-1"},
        {"_row": 3, "dealer": "D09999", "amount": "10", "received_on": "2026-01-05", "reference": "NEW-2"},
        {"_row": 4, "dealer": "D00001", "amount": "-5", "received_on": "2026-01-05", "reference": "NEW-3"},
        {"_row": 5, "dealer": "D00001", "amount": "1.234", "received_on": "2026-01-05", "reference": "NEW-4"},
        {"_row": 6, "dealer": "D00001", "amount": "10", "received_on": tomorrow, "reference": "NEW-5"},
        {"_row": 7, "dealer": "D00001", "amount": "10", "received_on": "5 Jan", "reference": "NEW-6"},
        {"_row": 8, "dealer": "D00001", "amount": "10", "received_on": "2026-01-05", "reference": "OLD-1"},
        {"_row": 9, "dealer": "d00001", "amount": "10", "received_on": "2026-01-05", "reference": "NEW-1"},
        {
            "_row": 10,
            "dealer": "D00001",
            "amount": "10",
            "received_on": "2026-01-05",
            "reference": "NEW-7",
            "method": "支票",
        },
        {"_row": 11, "dealer": "D00002", "amount": "10", "received_on": "2026-01-05", "reference": "OLD-1"},
        {"_row": 12, "dealer": "D00001"},
    ]
    report = importing.plan_payments(actor=cashier, rows=rows)
    assert errors_of(report) == {
        (3, "dealer"),
        (4, "amount"),
        (5, "amount"),
        (6, "received_on"),
        (7, "received_on"),
        (8, "reference"),
        (9, "reference"),
        (10, "method"),
        (12, "amount"),
        (12, "received_on"),
        (12, "reference"),
    }
    messages = {error.row: error.message for error in report.errors}
    assert messages[8] == "A payment with this reference is already recorded for this dealer."
    assert messages[9] == "Same dealer and reference as row 2 of this file."
    # The same reference from another dealer is another payment.
    assert report.valid == 2 and report.amount == Decimal("510.00")
    assert Payment.objects.count() == 1


def test_applying_payments_records_them_all_and_pays_the_oldest_invoices(shop, dealer_one, cashier, hq_admin):
    first = issue_invoice(dealer_one, shop.kettle, 2, actor=hq_admin)
    second = issue_invoice(dealer_one, shop.kettle, 3, actor=hq_admin)
    today = datetime.date.today().isoformat()
    rows = [
        {"_row": 2, "dealer": "D00001", "amount": "250", "received_on": today, "reference": "BK-1", "method": "承兑"},
        {"_row": 3, "dealer": "D00001", "amount": "¥300.00", "received_on": today, "reference": "BK-2", "note": "尾款"},
    ]
    report = importing.apply_payments(actor=cashier, rows=rows)
    assert report.created == 2 and not report.errors
    payments = {p.reference: p for p in Payment.objects.all()}
    assert payments["BK-1"].method == Payment.Method.BANK_ACCEPTANCE and payments["BK-1"].recorded_by == cashier
    assert payments["BK-2"].note == "尾款" and payments["BK-2"].unallocated_amount == Decimal("50.00")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Invoice.Status.PAID and second.status == Invoice.Status.PAID


def test_a_reference_recorded_since_the_dry_run_is_refused_and_nothing_is_kept(shop, dealer_one, cashier, hq_admin):
    today = datetime.date.today().isoformat()
    rows = [
        {"_row": 2, "dealer": "D00001", "amount": "100", "received_on": today, "reference": "BK-1"},
        {"_row": 3, "dealer": "D00001", "amount": "200", "received_on": today, "reference": "BK-2"},
    ]
    assert importing.plan_payments(actor=cashier, rows=rows).ok
    services.payment_record(
        actor=hq_admin, dealer=dealer_one, amount=Decimal("200"), received_on=datetime.date.today(), reference="BK-2"
    )
    report = importing.apply_payments(actor=cashier, rows=rows)
    assert report.created == 0 and errors_of(report) == {(3, "reference")}
    assert list(Payment.objects.values_list("reference", flat=True)) == ["BK-2"]


def test_a_dealer_outside_the_territory_is_unknown(shop, dealer_one, sales_rep):
    grant(sales_rep, "record_payment")
    rows = [{"_row": 2, "dealer": "D00001", "amount": "1", "received_on": "2026-01-05", "reference": "X"}]
    report = importing.plan_payments(actor=sales_rep, rows=rows)
    assert errors_of(report) == {(2, "dealer")}


def test_recording_payments_needs_the_payment_permission(shop, hq_staff):
    with pytest.raises(PermissionDeniedError):
        importing.plan_payments(actor=hq_staff, rows=[{"_row": 2, "dealer": "D00001"}])


def test_payment_import_page_checks_then_applies_on_confirmation(shop, dealer_one, cashier, client_as):
    client = client_as(cashier)
    today = datetime.date.today().isoformat()
    upload = xlsx_upload(
        ["Dealer code", "Amount", "Received on", "Reference", "Method"],
        [["D00001", 1000, today, "BK-9", "bank transfer"], ["D00001", 99.5, today, "BK-10", ""]],
    )
    response = client.post(PAYMENT_URL, {"file": upload})
    assert response.context["report"].ok
    assert 'data-testid="import-preview"' in response.content.decode()
    assert Payment.objects.count() == 0
    response = client.post(PAYMENT_URL, {"token": response.context["token"]}, follow=True)
    assert response.redirect_chain[-1][0] == "/hq/payments/"
    assert "2 payments recorded, ¥1,099.50 in all." in response.content.decode()
    assert Payment.objects.count() == 2


def test_payment_import_page_lists_row_errors(shop, dealer_one, cashier, client_as):
    upload = csv_upload(["经销商编号", "金额", "到账日期", "流水号"], [["D00001", "abc", "2026-01-05", "BK-1"]])
    response = client_as(cashier).post(PAYMENT_URL, {"file": upload})
    body = response.content.decode()
    assert response.context["token"] is None and "Enter an amount above zero" in body
    assert PaymentImportView.layout is importing.PAYMENT_LAYOUT


def test_a_service_refusal_at_apply_time_is_a_message(shop, storekeeper, client_as, monkeypatch):
    client = client_as(storekeeper)
    upload = csv_upload(["仓库编码", "SKU", "库存"], [["HZ", "K-100", "90"]])
    token = client.post(STOCK_URL, {"file": upload, "reason": "count"}).context["token"]

    def refuse(**kwargs):
        raise RuleViolation("K-100 in HZ: 95 units are reserved, more than the count 90.", code="stock_below_reserved")

    monkeypatch.setattr(services, "stock_set_counts", refuse)
    response = client.post(STOCK_URL, {"token": token}, follow=True)
    assert "Nothing was imported: K-100 in HZ: 95 units are reserved" in response.content.decode()
    assert levels(shop)[("HZ", "K-100")] == (100, 0)


def test_a_payment_note_with_a_control_character_is_a_row_error(shop, dealer_one, cashier):
    paid = {"dealer": "D00001", "amount": "10", "received_on": "2026-01-05"}
    rows = [
        {"_row": 2, "reference": "N-1", "note": "a\x07", **paid},
        {"_row": 3, "reference": "N-2", "note": "a\tb", **paid},
    ]
    report = importing.plan_payments(actor=cashier, rows=rows)
    assert errors_of(report) == {(2, "note")}
    assert report.valid == 1
