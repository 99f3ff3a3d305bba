"""Freight: the carrier's actual charge recorded for a shipment it carried, from the shipment's page, the API or a
carrier's bill (CSV or .xlsx, every row or none); the charge against the quote; freight per order, per unit and as a
share of the order's value, on the order's page and in the API."""

import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from dms.accounts.models import Role
from dms.errors import PermissionDeniedError, RuleViolation
from dms.events.models import Event
from dms.events.selectors import event_list
from dms.spreadsheets import read_rows
from logistics import selectors, services, verbs
from logistics.models import Shipment
from tests.factories import UserFactory, region
from tests.factories.orders import grant

pytestmark = pytest.mark.django_db
CARRIER = Shipment.Mode.CARRIER
IMPORT_URL = "/hq/logistics/freight/import/"
HEADER = ["carrier", "shipment", "tracking_number", "amount", "reference", "invoiced_on"]


@pytest.fixture
def carriers(hq_admin, shop):
    """顺丰 has a card from 杭州 to 浙江 (¥1.20 a kg, at least ¥30); 中通 has none. A kettle weighs 2.5 kg."""
    shop.kettle.weight_kg, shop.kettle.volume_m3 = Decimal("2.5"), Decimal("0.01")
    shop.kettle.save()
    sf = services.carrier_save(actor=hq_admin, fields={"code": "SF", "name": "顺丰快运"})
    services.rate_card_save(
        actor=hq_admin,
        fields={
            "carrier": sf,
            "origin": shop.main,
            "destination": region("330000"),
            "per_kg": Decimal("1.2"),
            "minimum_charge": Decimal("30"),
        },
    )
    zto = services.carrier_save(actor=hq_admin, fields={"code": "ZTO", "name": "中通快运"})
    return SimpleNamespace(sf=sf, zto=zto)


@pytest.fixture
def carried(shop, desk, approved, carriers):
    """``carried(kettles, carrier=顺丰, tracking="", dispatch=True)``: a shipment by carrier of a new order of dealer
    1, on its way unless ``dispatch`` is False."""

    def make(kettles=40, *, carrier=None, tracking="", dispatch=True):
        order = approved((shop.kettle, kettles))
        shipment = services.shipment_create(
            actor=desk,
            order=order,
            warehouse=shop.main,
            mode=CARRIER,
            carrier=carrier or carriers.sf,
            tracking_number=tracking,
        )
        return services.shipment_dispatch(actor=desk, shipment=shipment) if dispatch else shipment

    return make


def csv_upload(*rows, header=HEADER) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("bill.csv", buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def xlsx_upload(*rows, header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("bill.xlsx", buffer.getvalue())


def charges() -> list[Event]:
    return list(Event.objects.filter(verb=verbs.FREIGHT_CHARGED.code).order_by("id"))


def problems(report) -> set[tuple[int, str, str]]:
    return {(error.row, error.column, error.code) for error in report.errors}


# --- Recording one charge -----------------------------------------------------------------------------------------


def test_the_desk_records_the_carriers_charge_and_the_same_amount_again_changes_nothing(carried, desk):
    shipment = carried(tracking="SF001")  # 100 kg: quoted ¥120
    assert shipment.freight_quote == Decimal("120.00")

    recorded = services.freight_charge_record(
        actor=desk, shipment=shipment, amount=Decimal("132.50"), reference="BILL-7", invoiced_on=None
    )
    assert recorded.freight_charge == Decimal("132.50")
    shipment.refresh_from_db()
    assert shipment.freight_charge == Decimal("132.50")
    (event,) = charges()
    assert event.data == {
        "amount": "132.50",
        "previous": None,
        "quote": "120.00",
        "carrier": "SF",
        "reference": "BILL-7",
        "invoiced_on": "",
    }
    assert "¥132.50" in event.sentence

    services.freight_charge_record(actor=desk, shipment=shipment, amount="132.5")
    assert len(charges()) == 1

    services.freight_charge_record(actor=desk, shipment=shipment, amount="¥1,128.00")
    shipment.refresh_from_db()
    assert shipment.freight_charge == Decimal("1128.00")
    assert charges()[-1].data["previous"] == "132.50"
    assert services.charge_difference(shipment) == services.ChargeDifference(Decimal("1008.00"), Decimal("840.0"))


def test_only_a_carrier_shipment_that_has_left_is_charged(shop, desk, approved, carried):
    own = services.shipment_create(actor=desk, order=approved((shop.kettle, 1)), warehouse=shop.main)
    own = services.shipment_dispatch(actor=desk, shipment=own)
    with pytest.raises(RuleViolation) as refused:
        services.freight_charge_record(actor=desk, shipment=own, amount="10")
    assert refused.value.code == "not_by_carrier"

    planned = carried(dispatch=False)
    with pytest.raises(RuleViolation) as refused:
        services.freight_charge_record(actor=desk, shipment=planned, amount="10")
    assert refused.value.code == "not_dispatched"
    cancelled = services.shipment_cancel(actor=desk, shipment=planned, reason="wrong warehouse")
    with pytest.raises(RuleViolation) as refused:
        services.freight_charge_record(actor=desk, shipment=cancelled, amount="10")
    assert refused.value.code == "not_dispatched"
    assert not charges()


@pytest.mark.parametrize(
    "amount",
    ["-5", "0", "0.00", "abc", "", "12.345", "1e400", "NaN", "Infinity", 1.5, True, None, Decimal("-0.01")],
)
def test_an_amount_must_be_yuan_above_zero_to_the_cent(carried, desk, amount):
    shipment = carried()
    with pytest.raises(RuleViolation) as refused:
        services.freight_charge_record(actor=desk, shipment=shipment, amount=amount)
    assert (refused.value.code, refused.value.field) == ("invalid_amount", "amount")
    shipment.refresh_from_db()
    assert shipment.freight_charge is None


def test_a_charge_keeps_a_short_reference_and_a_past_invoice_date(carried, desk):
    shipment = carried()
    with pytest.raises(RuleViolation) as refused:
        services.freight_charge_record(actor=desk, shipment=shipment, amount="10", reference="R" * 101)
    assert refused.value.code == "invalid_reference"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(RuleViolation) as refused:
        services.freight_charge_record(actor=desk, shipment=shipment, amount="10", invoiced_on=tomorrow)
    assert refused.value.code == "invalid_date"


def test_dealers_and_staff_who_do_not_ship_are_refused(carried, dealer_admin, sales_rep, hq_staff):
    shipment = carried()
    for actor in (dealer_admin, sales_rep):
        with pytest.raises(PermissionDeniedError):
            services.freight_charge_record(actor=actor, shipment=shipment, amount="10")
    with pytest.raises(PermissionDeniedError):
        services.freight_charges_import(actor=dealer_admin, uploaded_file=csv_upload(["SF", shipment.number, "", "9"]))
    shipment.refresh_from_db()
    assert shipment.freight_charge is None


# --- Importing a carrier's bill -----------------------------------------------------------------------------------


def test_a_csv_bill_records_every_charge_by_shipment_or_tracking_number(carried, desk, carriers):
    first, second = carried(tracking="SF001"), carried(tracking="sf002")
    other = carried(carrier=carriers.zto, tracking="ZT9")
    upload = csv_upload(
        ["SF", first.number, "", "¥125.00", "BILL-7", "2026-01-31"],
        ["sf", "", "SF002", "98.5", "BILL-7", ""],
        ["ZTO", "", "ZT9", "1,005", "", ""],
    )
    report = services.freight_charges_import(actor=desk, uploaded_file=upload)
    assert (report.ok, report.created, report.changed, report.amount) == (True, 3, 3, Decimal("1228.50"))
    charged = dict(Shipment.objects.values_list("pk", "freight_charge"))
    assert (charged[first.pk], charged[second.pk], charged[other.pk]) == (
        Decimal("125.00"),
        Decimal("98.50"),
        Decimal("1005.00"),
    )
    first_event = next(e for e in charges() if e.target_id == str(first.pk))
    assert (first_event.data["reference"], first_event.data["invoiced_on"]) == ("BILL-7", "2026-01-31")


def test_an_xlsx_bill_with_the_templates_chinese_columns_is_imported(carried, desk):
    shipment = carried(tracking="SF001")
    assert services.FREIGHT_TEMPLATE == ["承运商编码", "发货单号", "运单号", "运费", "账单号", "账单日期"]
    upload = xlsx_upload(["SF", None, "SF001", 118.4, "B-1", None], header=services.FREIGHT_TEMPLATE)
    report = services.freight_charges_import(actor=desk, uploaded_file=upload)
    assert report.created == 1
    shipment.refresh_from_db()
    assert shipment.freight_charge == Decimal("118.40")


def test_one_bad_row_writes_nothing_and_each_problem_names_its_row(carried, desk, carriers, shop, approved):
    good, zto_one = carried(1, tracking="SF001"), carried(1, carrier=carriers.zto, tracking="ZT1")
    planned = carried(1, dispatch=False)
    own = services.shipment_dispatch(
        actor=desk,
        shipment=services.shipment_create(actor=desk, order=approved((shop.kettle, 1)), warehouse=shop.main),
    )
    upload = csv_upload(
        ["SF", good.number, "", "120", "", ""],  # row 2: fine
        ["SF", "SH-20000101-9999", "", "10", "", ""],  # 3: unknown shipment
        ["SF", zto_one.number, "", "10", "", ""],  # 4: wrong carrier
        ["SF", "", "NOPE", "10", "", ""],  # 5: unknown tracking number
        ["SF", "", "SF001", "-3", "", ""],  # 6: the same shipment as row 2, and a bad amount
        ["DHL", planned.number, "", "10", "", ""],  # 7: unknown carrier
        ["SF", planned.number, "", "10", "", ""],  # 8: not dispatched
        ["SF", own.number, "", "10", "", ""],  # 9: own fleet
        ["SF", "", "", "10", "", "2026-13-01"],  # 10: no shipment named, a bad date
        ["SF", good.number, "ZT1", "10", "", ""],  # 11: another tracking number
    )
    with translation.override("en"):
        report = services.freight_charges_import(actor=desk, uploaded_file=upload)
        wrong = next(e for e in report.errors if e.code == "wrong_carrier")
        assert str(wrong.message) == f"The shipment {zto_one.number} goes by ZTO 中通快运."
    assert not report.ok and report.created == 0
    assert problems(report) == {
        (3, "shipment", "unknown_shipment"),
        (4, "carrier", "wrong_carrier"),
        (5, "tracking_number", "unknown_shipment"),
        (6, "shipment", "duplicate_row"),
        (6, "amount", "invalid_amount"),
        (7, "carrier", "unknown_carrier"),
        (7, "shipment", "not_dispatched"),
        (8, "shipment", "not_dispatched"),
        (9, "shipment", "not_by_carrier"),
        (10, "shipment", "required"),
        (10, "invoiced_on", "invalid_date"),
        (11, "tracking_number", "tracking_mismatch"),
    }
    assert not Shipment.objects.filter(freight_charge__isnull=False).exists()
    assert not charges()


def test_importing_the_same_bill_again_changes_nothing(carried, desk):
    first, second = carried(), carried()
    rows = (["SF", first.number, "", "120", "B-1", ""], ["SF", second.number, "", "30", "B-1", ""])
    services.freight_charges_import(actor=desk, uploaded_file=csv_upload(*rows))
    again = services.freight_charges_import(actor=desk, uploaded_file=csv_upload(*rows))
    assert (again.ok, again.created, again.changed) == (True, 2, 0)
    assert len(charges()) == 2
    corrected = services.freight_charges_import(
        actor=desk, uploaded_file=csv_upload(["SF", first.number, "", "121", "B-2", ""])
    )
    assert (corrected.created, corrected.changed) == (1, 1)
    first.refresh_from_db()
    assert first.freight_charge == Decimal("121.00") and charges()[-1].data["previous"] == "120.00"


def test_a_shipment_outside_the_importers_territory_is_unknown(carried):
    shipment = carried(tracking="SF001")  # dealer 1, in 杭州
    guangzhou = UserFactory(username="gzdesk", role=Role.HQ_STAFF)
    guangzhou.regions.add(region("440100"))
    grant(guangzhou, "ship_order")
    upload = csv_upload(["SF", shipment.number, "", "120", "", ""], ["SF", "", "SF001", "120", "", ""])
    report = services.freight_charges_import(actor=guangzhou, uploaded_file=upload)
    assert problems(report) == {(2, "shipment", "unknown_shipment"), (3, "tracking_number", "unknown_shipment")}


def test_a_tracking_number_two_carriers_share_goes_to_the_rows_carrier(carried, desk, carriers):
    sf, zto = carried(tracking="X1"), carried(carrier=carriers.zto, tracking="X1")
    report = services.freight_charges_import(
        actor=desk, uploaded_file=csv_upload(["ZTO", "", "X1", "77", "", ""], ["SF", "", "x1", "66", "", ""])
    )
    assert report.created == 2
    assert dict(Shipment.objects.values_list("pk", "freight_charge")) == {sf.pk: Decimal("66"), zto.pk: Decimal("77")}


def test_the_import_costs_the_same_queries_for_3_rows_as_for_30(carried, desk):
    shipments = [carried(kettles=1) for _ in range(34)]

    def queries(few):
        upload = csv_upload(*[["SF", s.number, "", f"{30 + i}.10", "B", ""] for i, s in enumerate(few)])
        rows = read_rows(upload, services.FREIGHT_LAYOUT)
        with CaptureQueriesContext(connection) as checked:
            assert services.freight_charges_check(actor=desk, rows=rows).ok
        with CaptureQueriesContext(connection) as applied:
            assert services.freight_charges_apply(actor=desk, rows=rows).created == len(few)
        return len(checked.captured_queries), len(applied.captured_queries)

    queries(shipments[:1])  # the desk's permissions and the content type are read once, then cached
    # Checking reads the carriers and the shipments; importing adds its savepoint, the lock on the shipments, one
    # UPDATE of their charges and one INSERT of their events.
    assert queries(shipments[1:4]) == queries(shipments[4:]) == (2, 6)


# --- Freight per order --------------------------------------------------------------------------------------------


@pytest.fixture
def freighted(shop, desk, approved, carriers):
    """An order of 100 kettles (¥10,000 with VAT, ¥8,849.56 net): 40 by 顺丰 charged ¥130, 30 by 顺丰 quoted ¥90
    (not billed), 10 by 中通 (no rate card: neither), 10 cancelled by 顺丰, 10 by the own fleet."""
    order = approved((shop.kettle, 100))

    def ship(kettles, **kwargs):
        return services.shipment_create(
            actor=desk, order=order, warehouse=shop.main, lines=[(shop.kettle, kettles)], **kwargs
        )

    charged = services.shipment_dispatch(actor=desk, shipment=ship(40, mode=CARRIER, carrier=carriers.sf))
    services.freight_charge_record(actor=desk, shipment=charged, amount="130")
    ship(30, mode=CARRIER, carrier=carriers.sf)
    ship(10, mode=CARRIER, carrier=carriers.zto)
    services.shipment_cancel(actor=desk, shipment=ship(10, mode=CARRIER, carrier=carriers.sf), reason="split")
    ship(10)
    order.refresh_from_db()
    return order


def test_an_orders_freight_is_its_carrier_charges_else_quotes_in_one_query(freighted, django_assert_num_queries):
    assert freighted.net_amount == Decimal("8849.56")
    with django_assert_num_queries(1):
        freight = selectors.order_freight(order=freighted)
    assert (freight.freight, freight.units, freight.charged, freight.quoted, freight.unpriced) == (
        Decimal("220.00"),
        70,
        1,
        1,
        1,
    )
    assert (freight.per_unit, freight.share_percent) == (Decimal("3.14"), Decimal("2.49"))


def test_an_order_without_carrier_shipments_has_no_freight(shop, desk, approved):
    order = approved((shop.kettle, 2))
    assert selectors.order_freight(order=order) is None
    services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    assert selectors.order_freight(order=order) is None


def test_the_order_page_shows_the_freight_panel(client_as, desk, freighted):
    page = client_as(desk).get(reverse("orders:detail", args=[freighted.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert 'data-testid="freight-panel"' in body
    for figure in ("¥220.00", ">70<", "¥3.14", "2.49%", "1 shipment at the carrier's charge"):
        assert figure in body, figure


def test_the_order_api_detail_gives_head_office_the_freight_and_dealers_none(api_as, desk, dealer_admin, freighted):
    url = f"/api/v1/orders/{freighted.pk}/"
    assert api_as(desk).get(url).json()["freight"] == {
        "freight": "220.00",
        "units": 70,
        "per_unit": "3.14",
        "share_percent": "2.49",
        "charged": 1,
        "quoted": 1,
        "unpriced": 1,
    }
    assert api_as(dealer_admin).get(url).json()["freight"] is None
    assert "freight" not in api_as(desk).get("/api/v1/orders/").json()["results"][0]


def test_the_schema_documents_the_freight_and_the_charge_endpoints(api_as, hq_admin):
    schema = api_as(hq_admin).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "freight" in schema["components"]["schemas"]["OrderDetail"]["properties"]
    assert "post" in schema["paths"]["/api/v1/shipments/{id}/charge/"]
    upload = schema["paths"]["/api/v1/shipments/charges/import/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "422" in upload["responses"]


# --- Pages --------------------------------------------------------------------------------------------------------


def test_the_desk_records_a_charge_on_the_shipment_page(client_as, desk, carried):
    shipment = carried()
    client = client_as(desk)
    url = reverse("logistics:shipment_detail", args=[shipment.pk])
    assert 'data-testid="charge-form"' in client.get(url).content.decode()

    charge_url = reverse("logistics:shipment_charge", args=[shipment.pk])
    refused = client.post(charge_url, {"amount": "-1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422
    assert "Ensure this value is greater than or equal to 0.01." in refused.content.decode()

    done = client.post(charge_url, {"amount": "150.00", "reference": "B-9", "invoiced_on": "2026-01-05"}, follow=True)
    body = done.content.decode()
    shipment.refresh_from_db()
    assert shipment.freight_charge == Decimal("150.00")
    assert 'data-testid="charge-difference"' in body and "+¥30.00 (+25.0%)" in body
    assert 'data-testid="last-charge"' in body and "B-9" in body


def test_the_charge_form_is_only_for_carrier_shipments_that_left(client_as, desk, carried, hq_staff):
    planned = carried(dispatch=False)
    page = client_as(desk).get(reverse("logistics:shipment_detail", args=[planned.pk])).content.decode()
    assert 'data-testid="charge-form"' not in page and 'id="freight"' in page


def test_the_import_page_offers_both_templates(client_as, desk):
    client = client_as(desk)
    page = client.get(IMPORT_URL).content.decode()
    assert "?template=csv" in page and "?template=xlsx" in page
    as_csv = client.get(IMPORT_URL, {"template": "csv"})
    assert as_csv.content.decode("utf-8-sig").splitlines()[0] == ",".join(services.FREIGHT_TEMPLATE)
    as_xlsx = client.get(IMPORT_URL, {"template": "xlsx"})
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == services.FREIGHT_TEMPLATE
    assert client.get(reverse("logistics:shipments")).content.decode().count(IMPORT_URL) == 1


def test_the_import_page_lists_row_errors_then_imports_on_confirmation(client_as, desk, carried):
    shipment = carried(tracking="SF001")
    client = client_as(desk)
    refused = client.post(
        IMPORT_URL,
        {"file": csv_upload(["SF", shipment.number, "", "abc", "", ""], ["SF", "SH-X", "", "1", "", ""])},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = refused.content.decode()
    assert refused.context["token"] is None
    assert "Nothing has been imported." in body and 'data-testid="import-errors"' in body
    assert "No shipment you can see has the number “SH-X”." in body

    checked = client.post(IMPORT_URL, {"file": csv_upload(["SF", "", "SF001", "118", "B-1", ""])})
    assert checked.context["report"].ok and 'data-testid="import-preview"' in checked.content.decode()
    shipment.refresh_from_db()
    assert shipment.freight_charge is None
    done = client.post(IMPORT_URL, {"token": checked.context["token"]}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert done.redirect_chain[-1][0] == reverse("logistics:shipments")
    assert "1 carrier&#x27;s charge imported, ¥118.00 in all; 1 new or changed." in done.content.decode()
    shipment.refresh_from_db()
    assert shipment.freight_charge == Decimal("118.00")


def test_the_import_page_is_for_those_who_ship(client_as, sales_rep):
    assert client_as(sales_rep).get(IMPORT_URL).status_code == 403


# --- API ----------------------------------------------------------------------------------------------------------


def test_the_api_records_a_charge_and_refuses_bad_input(api_as, desk, dealer_admin, carried, shop, approved):
    shipment = carried()
    client = api_as(desk)
    url = f"/api/v1/shipments/{shipment.pk}/charge/"
    answer = client.post(url, {"amount": "128.80", "reference": "B-3"}, format="json")
    assert answer.status_code == 200 and answer.json()["freight_charge"] == "128.80"

    garbage = client.post(url, {"amount": "abc"}, format="json")
    assert (garbage.status_code, garbage.json()["code"], list(garbage.json()["fields"])) == (400, "invalid", ["amount"])
    negative = client.post(url, {"amount": "-1"}, format="json")
    assert (negative.status_code, negative.json()["code"]) == (422, "invalid_amount")
    own = services.shipment_create(actor=desk, order=approved((shop.kettle, 1)), warehouse=shop.main)
    own_fleet = client.post(f"/api/v1/shipments/{own.pk}/charge/", {"amount": "5"}, format="json")
    assert (own_fleet.status_code, own_fleet.json()["code"]) == (422, "not_by_carrier")
    assert api_as(dealer_admin).post(url, {"amount": "1"}, format="json").status_code == 403
    shipment.refresh_from_db()
    assert shipment.freight_charge == Decimal("128.80")


def test_the_api_imports_a_bill_all_or_nothing(api_as, desk, dealer_admin, carried):
    shipment = carried(tracking="SF001")
    client = api_as(desk)
    url = "/api/v1/shipments/charges/import/"
    bad = client.post(
        url,
        {"file": csv_upload(["SF", "", "SF001", "9", "", ""], ["SF", "", "SF404", "9", "", ""])},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "import_rows_invalid")
    assert bad.json()["data"]["errors"] == [
        {
            "row": 3,
            "column": "tracking_number",
            "code": "unknown_shipment",
            "message": "No shipment you can see has the tracking number “SF404”.",
        }
    ]
    shipment.refresh_from_db()
    assert shipment.freight_charge is None

    unreadable = client.post(url, {"file": SimpleUploadedFile("bill.xls", b"\xd0\xcf\x11\xe0 old")}, format="multipart")
    assert (unreadable.status_code, unreadable.json()["code"]) == (422, "import_file_invalid")
    assert client.post(url, {}, format="multipart").status_code == 400

    good = client.post(url, {"file": xlsx_upload(["SF", "", "SF001", "120.5", "B", ""])}, format="multipart")
    assert good.status_code == 200
    assert good.json() == {"rows": 1, "imported": 1, "changed": 1, "amount": "120.50"}
    again = client.post(url, {"file": xlsx_upload(["SF", "", "SF001", "120.5", "B", ""])}, format="multipart")
    assert again.json()["changed"] == 0

    refused = api_as(dealer_admin).post(url, {"file": csv_upload(["SF", "", "SF001", "1", "", ""])}, format="multipart")
    assert refused.status_code == 403


def test_a_dealer_sees_neither_the_quote_nor_the_charge_nor_the_charge_event(api_as, desk, dealer_admin, carried):
    shipment = carried()
    services.freight_charge_record(actor=desk, shipment=shipment, amount="130.00")
    url = f"/api/v1/shipments/{shipment.pk}/"
    assert api_as(desk).get(url).json()["freight_charge"] == "130.00"
    seen = api_as(dealer_admin).get(url).json()
    assert (seen["freight_quote"], seen["freight_charge"]) == (None, None)
    assert not event_list(user=dealer_admin).filter(verb="logistics.freight_charged").exists()
    assert event_list(user=desk).filter(verb="logistics.freight_charged").exists()
