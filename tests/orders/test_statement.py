"""The dealer statement (对账单): opening balance, invoices and payments with a running balance, closing
balance, the credit position beside it, and the same as an Excel workbook."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from orders import services
from orders.statement import dealer_statement
from tests.factories.orders import authorize, credit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)


def shipped_on(day, *, dealer_user, hq_admin, product, quantity):
    """An order of ``quantity`` × ``product`` shipped (so invoiced) on ``day``."""
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC), tick=False):
        order = services.order_create(
            actor=dealer_user, dealer=dealer_user.dealer, lines=[{"product": product, "quantity": quantity}]
        )
        order = services.order_submit(actor=dealer_user, order=order)
        return services.order_ship(actor=hq_admin, order=order).invoices.get()


def paid(day, amount, reference, *, dealer, hq_admin):
    return services.payment_record(actor=hq_admin, dealer=dealer, amount=amount, received_on=day, reference=reference)


@pytest.fixture
def history(shop, dealer_admin, dealer_one, hq_admin):
    """October: invoice 1,000 and payment 300. November: invoice 500 and payment 800 on the 10th, 100 on the 12th."""
    dealer_one.authorizations.update(valid_from=datetime.date(2026, 1, 1))
    kettle = shop.kettle  # ¥100 each
    october = shipped_on(
        datetime.date(2026, 10, 8), dealer_user=dealer_admin, hq_admin=hq_admin, product=kettle, quantity=10
    )
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC), tick=False):
        paid(datetime.date(2026, 10, 20), "300.00", "B-1", dealer=dealer_one, hq_admin=hq_admin)
    november = shipped_on(
        datetime.date(2026, 11, 10), dealer_user=dealer_admin, hq_admin=hq_admin, product=kettle, quantity=5
    )
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC), tick=False):
        paid(datetime.date(2026, 11, 10), "800.00", "B-2", dealer=dealer_one, hq_admin=hq_admin)
        paid(datetime.date(2026, 11, 12), "100.00", "B-3", dealer=dealer_one, hq_admin=hq_admin)
    return {"october": october, "november": november}


@pytest.fixture
def portal(dealer_admin):
    """The dealer's administrator in a browser reading the English pages."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(dealer_admin)
    yield client
    translation.deactivate()  # a request leaves its language active in the thread, for the next test too


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def test_balances_open_run_and_close(history, dealer_admin, dealer_one, django_assert_num_queries):
    with django_assert_num_queries(4):
        statement = dealer_statement(
            user=dealer_admin, dealer=dealer_one, start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30)
        )
    assert statement.opening == Decimal("700.00")
    rows = [(e.day.day, e.kind, e.number, e.debit, e.credit, e.balance) for e in statement.entries]
    invoice = history["november"].number
    assert rows == [
        (10, "invoice", invoice, Decimal("500.00"), Decimal("0.00"), Decimal("1200.00")),
        (10, "payment", "B-2", Decimal("0.00"), Decimal("800.00"), Decimal("400.00")),
        (12, "payment", "B-3", Decimal("0.00"), Decimal("100.00"), Decimal("300.00")),
    ]
    assert (statement.total_debit, statement.total_credit, statement.closing) == (
        Decimal("500.00"),
        Decimal("900.00"),
        Decimal("300.00"),
    )
    october = dealer_statement(
        user=dealer_admin, dealer=dealer_one, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31)
    )
    assert (october.opening, october.closing) == (Decimal("0.00"), statement.opening)


def test_another_dealers_money_is_not_on_the_statement(
    history, shop, dealer_one, dealer_two, other_dealer_admin, hq_admin
):
    authorize(dealer_two, shop.line, valid_from=datetime.date(2026, 1, 1))
    credit(dealer_two, "100000.00", warehouse=shop.main)
    shipped_on(
        datetime.date(2026, 11, 10), dealer_user=other_dealer_admin, hq_admin=hq_admin, product=shop.kettle, quantity=1
    )
    november = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    theirs = dealer_statement(user=other_dealer_admin, dealer=dealer_two, start=november[0], end=november[1])
    assert [(e.kind, e.debit) for e in theirs.entries] == [("invoice", Decimal("100.00"))]
    assert theirs.opening == 0 and theirs.closing == Decimal("100.00")
    reaching = dealer_statement(user=other_dealer_admin, dealer=dealer_one, start=november[0], end=november[1])
    assert reaching.entries == [] and reaching.opening == 0


def test_the_page_shows_this_month_by_default_with_the_credit_position(history, portal, today):
    response = portal.get(reverse("portal:statement"))
    statement = response.context["statement"]
    assert (statement.start, statement.end) == (datetime.date(2026, 11, 1), TODAY)
    assert statement.closing == Decimal("300.00")
    credit_position = response.context["credit"]
    assert credit_position.credit_limit == Decimal("100000.00") and credit_position.exposure == Decimal("300.00")
    html = response.content.decode()
    assert "¥700.00" in html and "¥1,200.00" in html and "¥300.00" in html and "¥99,700.00" in html
    october = portal.get(reverse("portal:statement"), {"month": "2026-10"}).context["statement"]
    assert (october.start, october.end, october.closing) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 31),
        Decimal("700.00"),
    )
    chosen = portal.get(reverse("portal:statement"), {"date_from": "2026-11-11", "date_to": "2026-11-15"})
    assert [e.number for e in chosen.context["statement"].entries] == ["B-3"]


def test_a_bad_period_is_a_message_and_this_month_is_shown(portal, today):
    response = portal.get(reverse("portal:statement"), {"date_from": "2026-11-15", "date_to": "2026-11-01"})
    assert response.status_code == 200
    assert "The start of the period is after its end." in response.content.decode()
    assert response.context["statement"].start == datetime.date(2026, 11, 1)
    response = portal.get(reverse("portal:statement"), {"month": "2026-13"})
    assert response.status_code == 200 and response.context["form"].errors["month"]
    response = portal.get(reverse("portal:statement"), {"date_from": "2020-01-01", "date_to": "2026-11-01"})
    assert "at most one year" in response.content.decode()


def test_xlsx_has_translated_headers_and_amounts_as_numbers(history, portal, today):
    response = portal.get(reverse("portal:statement"), {"month": "2026-11", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "statement-D00001-20261101-20261120.xlsx" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows.index(("Date", "Type", "Document", "Details", "Debit", "Credit", "Balance"))
    opening, *entries, closing = rows[header + 1 :]
    assert opening[1] == "Opening balance" and opening[6] == 700
    assert [(row[1], row[4], row[5], row[6]) for row in entries] == [
        ("Invoice", 500, None, 1200),
        ("Payment", None, 800, 400),
        ("Payment", None, 100, 300),
    ]
    assert closing[1:] == ("Closing balance", None, None, 500, 900, 300)
    assert isinstance(entries[0][0], datetime.datetime) and entries[0][0].date() == datetime.date(2026, 11, 10)
