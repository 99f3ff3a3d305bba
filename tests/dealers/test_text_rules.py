"""Codes and free text: what the doors refuse, what exports survive, and the check of rows already stored."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dealers.models import Dealer, Region
from dms.exports import spreadsheet
from dms.validators import validate_code, validate_multiline_text, validate_single_line_text
from leads.models import LeadSource
from orders.models import Product, ProductLine, Warehouse
from tests.factories import DealerFactory, make_uscc, region

pytestmark = pytest.mark.django_db


def _form_body(**changes):
    body = {
        "name": "苏州嘉禾",
        "legal_name": "苏州嘉禾实业有限公司",
        "uscc": make_uscc(42),
        "region": region("320500").pk,
        "tier": "B",
        "status": "prospect",
        "payment_terms_days": 30,
        "lead_capacity": 20,
    }
    body.update(changes)
    return body


def _api_body(**changes):
    body = {
        "name": "成都天成",
        "legal_name": "成都天成贸易有限公司",
        "uscc": make_uscc(99),
        "region": "510100",
    }
    body.update(changes)
    return body


# --- validators ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["D00001", "K-100", "AC-35GW", "air-conditioning", "HZ", "330106", "global-site", "a.b_c"]
)
def test_codes_people_use_pass_the_pattern(code):
    validate_code(code)


@pytest.mark.parametrize("code", ["\x01\ue000", "D 001", "-D1", "杭州", "D1\n", "D1/2"])
def test_codes_outside_the_pattern_are_refused(code):
    with pytest.raises(ValidationError) as caught:
        validate_code(code)
    assert caught.value.code == "invalid_code"


def test_every_code_the_demo_and_the_region_file_hold_passes_the_pattern():
    from dealers.demo import DEMO_DEALER_CODE
    from leads.demo import SOURCES_SITES
    from orders.demo.catalogue import LINES, PRODUCTS, WAREHOUSES

    region("CN")  # the region tree is loaded
    codes = [
        *Region.objects.values_list("code", flat=True),
        DEMO_DEALER_CODE,
        *(code for code, *_rest in LINES),
        *(line.split("|")[0].strip() for line in WAREHOUSES.strip().splitlines()),
        *(line.split("|")[0].strip() for line in PRODUCTS.strip().splitlines()),
        *(code for _name, code in SOURCES_SITES),
    ]
    assert len(codes) > 100
    for code in codes:
        validate_code(code)


def test_single_line_text_refuses_control_private_use_and_line_breaks():
    validate_single_line_text("杭州恒达 (Hangzhou) — 'A&B' 😀")
    for bad in ("a\x07b", "a\ue000", "a\nb", "a\tb", "a\x7f", "a\x85b"):
        with pytest.raises(ValidationError):
            validate_single_line_text(bad)


def test_multiline_text_keeps_tabs_and_line_breaks_only():
    validate_multiline_text("第一行\n\t第二行\r\n第三行")
    for bad in ("a\x07b", "a\rb", "a\ue000", "a\x0bb", "a\ud800"):
        with pytest.raises(ValidationError):
            validate_multiline_text(bad)


# --- exports ------------------------------------------------------------------------------------------------------


def test_an_excel_export_survives_a_control_character_in_a_row(client_as, hq_admin):
    DealerFactory(name="杭州\x07恒达", region=region("330100"))
    response = client_as(hq_admin).get(reverse("dealers:list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "杭州恒达" in [cell.value for cell in sheet[2]]


def test_spreadsheet_drops_what_excel_cannot_store_and_still_guards_formulas():
    response = spreadsheet("xlsx", "x", [("Sheet", ["a", "b"], [["bell\x07name", "\x01=1+1"]])])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]] == ["bellname", "'=1+1"]


# --- HTML forms ---------------------------------------------------------------------------------------------------


def test_the_console_refuses_a_control_code_and_a_control_name(client_as, hq_admin):
    response = client_as(hq_admin).post(reverse("dealers:create"), _form_body(code="\x01\ue000", name="杭州\x07恒达"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["code"] and errors["name"]
    assert "U+0007" in errors["name"][0]
    assert not Dealer.objects.exists()


def test_a_multi_line_reason_with_tabs_is_accepted_by_a_form(client_as, hq_admin, dealer_admin):
    dealer = dealer_admin.dealer
    client = client_as(hq_admin)
    url = reverse("dealers:change_status", args=[dealer.pk])
    client.post(url, {"status": "suspended", "reason": "窜货\n\t第二次\r\n已警告"})
    dealer.refresh_from_db()
    assert dealer.status == "suspended"


# --- API ----------------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_control_code_and_a_control_name(api_as, hq_admin):
    response = api_as(hq_admin).post("/api/v1/dealers/", _api_body(code="\x01\ue000", name="成都\x07天成"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "code" in body["fields"] and "name" in body["fields"]
    assert not Dealer.objects.exists()


def test_the_api_refuses_a_code_with_a_space_and_control_characters_in_nested_rows(api_as, hq_admin):
    client = api_as(hq_admin)
    response = client.post("/api/v1/dealers/", _api_body(code="D 1"))
    assert response.status_code == 400 and "code" in response.json()["fields"]
    response = client.post("/api/v1/dealers/", _api_body(contacts=[{"name": "李\ue000娜", "phone": "028-12345678"}]))
    assert response.status_code == 400 and "contacts" in response.json()["fields"]
    assert not Dealer.objects.exists()


def test_the_api_accepts_a_multi_line_reason_with_tabs(api_as, hq_admin, dealer_admin):
    response = api_as(hq_admin).post(
        f"/api/v1/dealers/{dealer_admin.dealer_id}/change-status/",
        {"status": "probation", "reason": "逾期回款\n\t第二次"},
    )
    assert response.status_code == 200, response.json()


def test_model_code_fields_carry_the_pattern():
    for model, field in [
        (Dealer, "code"),
        (Product, "sku"),
        (ProductLine, "code"),
        (Warehouse, "code"),
        (Region, "code"),
        (LeadSource, "code"),
    ]:
        assert validate_code in model._meta.get_field(field).validators


# --- check of stored rows -----------------------------------------------------------------------------------------


def test_check_text_lists_stored_rows_that_break_the_rules():
    DealerFactory(name="clean")
    bad = DealerFactory(name="杭州\x07恒达")
    Dealer.objects.filter(pk=bad.pk).update(code="\x01\ue000")
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("check_text", stdout=out)
    assert failed.value.returncode == 1
    report = out.getvalue()
    assert f"dealers.dealer {bad.pk} name" in report and f"dealers.dealer {bad.pk} code" in report
    assert "clean" not in report


def test_check_text_is_quiet_when_every_row_is_clean():
    DealerFactory(name="clean")
    out = io.StringIO()
    with translation.override("en"):
        call_command("check_text", stdout=out)
    assert out.getvalue() == "No stored value breaks the text rules.\n"


# --- imports ------------------------------------------------------------------------------------------------------


def test_an_imported_cell_with_a_control_character_is_a_row_error(hq_admin):
    from dealers import importing

    rows = [
        {
            "_row": 2,
            "name": "导入\x07经销商",
            "legal_name": "导入经销商有限公司",
            "uscc": make_uscc(5001),
            "region": "330100",
        },
        {"_row": 3, "name": "好经销商", "legal_name": "好经销商有限公司", "uscc": make_uscc(5002), "region": "330100"},
    ]
    report = importing.plan_import(actor=hq_admin, rows=rows)
    assert [(error.row, error.column) for error in report.errors] == [(2, "name")]
    assert report.valid == 1
