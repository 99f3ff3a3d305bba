"""The aging report and DSO: bucket boundaries, payments by the report date, DSO, regions and who sees what."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from dms.accounts.services import user_update
from orders import reports, services
from orders.models import Order
from tests.factories import DealerFactory, region
from tests.factories.orders import authorize, credit, stock

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_AGO = datetime.date(2020, 1, 1)


def on_day(day: datetime.date, hour: int = 10):
    """Travel to ``day`` in Shanghai, so services date what they write on it."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI), tick=False)


def issue_invoice(dealer, product, quantity: int, *, actor, on: datetime.date | None = None):
    """An invoice for ``quantity`` units, issued on ``on`` (today) the way it always is: an order shipped."""

    def run():
        order = services.order_create(actor=actor, dealer=dealer, lines=[{"product": product, "quantity": quantity}])
        order = services.order_submit(actor=actor, order=order)
        if order.status == Order.Status.PENDING_APPROVAL:
            order = services.order_approve(actor=actor, order=order, reason="test")
        return services.order_ship(actor=actor, order=order).invoices.get()

    if on is None:
        return run()
    with on_day(on):
        return run()


def pay(dealer, amount, *, actor, on: datetime.date, reference: str):
    with on_day(on, hour=15):
        return services.payment_record(
            actor=actor, dealer=dealer, amount=Decimal(amount), received_on=on, reference=reference
        )


@pytest.fixture(autouse=True)
def _chinese():
    """Region names are asserted as Chinese readers see them."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def history(shop, dealer_one):
    """The shop, with dealer 1 authorised for years, so orders can be dated in the past."""
    authorize(dealer_one, shop.line, valid_from=LONG_AGO)
    stock(shop.kettle, shop.main, 1000)
    return shop


def trading_dealer(code: str, city: str, line, warehouse):
    dealer = DealerFactory(code=code, region=region(city))
    authorize(dealer, line, valid_from=LONG_AGO)
    credit(dealer, "1000000.00", warehouse=warehouse)
    return dealer


def buckets_of(line) -> dict:
    return {key: amount for key, amount in line.buckets.items() if amount}


@pytest.mark.parametrize(
    ("days_overdue", "bucket"),
    [
        (0, "current"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
    ],
)
def test_an_invoice_moves_through_the_buckets_by_days_past_its_due_date(
    shop, dealer_one, hq_admin, days_overdue, bucket
):
    invoice = issue_invoice(dealer_one, shop.kettle, 3, actor=hq_admin)
    as_of = invoice.due_on + datetime.timedelta(days=days_overdue)
    report = reports.aging_report(user=hq_admin, as_of=as_of)
    assert [line.dealer_id for line in report.dealers] == [dealer_one.pk]
    assert buckets_of(report.dealers[0]) == {bucket: Decimal("300.00")}
    assert report.total.overdue == (0 if bucket == "current" else Decimal("300.00"))


def test_outstanding_on_a_date_counts_only_payments_received_by_then(history, dealer_one, hq_admin):
    shop = history
    today = datetime.date.today()
    invoice = issue_invoice(dealer_one, shop.kettle, 10, actor=hq_admin, on=today - datetime.timedelta(days=60))
    pay(dealer_one, "400.00", actor=hq_admin, on=today - datetime.timedelta(days=20), reference="BK-1")
    before = reports.aging_report(user=hq_admin, as_of=today - datetime.timedelta(days=21))
    after = reports.aging_report(user=hq_admin, as_of=today)
    assert before.total.total == Decimal("1000.00")
    assert after.total.total == Decimal("600.00")
    assert buckets_of(after.dealers[0]) == {"days_1_30": Decimal("600.00")}
    # Before it was issued, the invoice was owed by nobody.
    assert reports.aging_report(user=hq_admin, as_of=invoice.issued_on - datetime.timedelta(days=1)).dealers == []


def test_a_fully_paid_dealer_is_not_listed_but_its_sales_count_in_dso(history, dealer_one, dealer_two, hq_admin):
    shop = history
    today = datetime.date.today()
    authorize(dealer_two, shop.line, valid_from=LONG_AGO)
    credit(dealer_two, "1000000.00", warehouse=shop.main)
    # Dealer 1: an older sale, paid long ago, is outside the 90 days of sales and owes nothing...
    issue_invoice(dealer_one, shop.kettle, 50, actor=hq_admin, on=today - datetime.timedelta(days=120))
    pay(dealer_one, "5000.00", actor=hq_admin, on=today - datetime.timedelta(days=100), reference="BK-0")
    # ... then 9,000 sold on credit 30 days ago, 6,000 of it paid: owes 3,000.
    issue_invoice(dealer_one, shop.kettle, 90, actor=hq_admin, on=today - datetime.timedelta(days=30))
    pay(dealer_one, "6000.00", actor=hq_admin, on=today - datetime.timedelta(days=5), reference="BK-1")
    # Dealer 2: 3,000 sold 10 days ago and paid.
    issue_invoice(dealer_two, shop.kettle, 30, actor=hq_admin, on=today - datetime.timedelta(days=10))
    pay(dealer_two, "3000.00", actor=hq_admin, on=today - datetime.timedelta(days=1), reference="BK-2")

    report = reports.aging_report(user=hq_admin)
    [line] = report.dealers
    assert line.dealer_id == dealer_one.pk
    assert line.total == Decimal("3000.00")
    assert line.credit_sales == Decimal("9000.00")
    assert line.dso == Decimal("30.0")  # 3,000 ÷ 9,000 × 90
    assert report.total.credit_sales == Decimal("12000.00")
    assert report.total.dso == Decimal("22.5")  # 3,000 ÷ 12,000 × 90


def test_dso_is_undefined_without_credit_sales():
    assert reports.dso(Decimal("500.00"), Decimal("0.00")) is None
    assert reports.dso(Decimal("0.00"), Decimal("100.00")) == Decimal("0.0")


def test_regions_group_dealers_by_province_and_the_region_filter_takes_a_subtree(shop, hq_admin):
    hz = trading_dealer("HZ1", "330100", shop.line, shop.main)
    nb = trading_dealer("NB1", "330200", shop.line, shop.main)
    gz = trading_dealer("GZ1", "440100", shop.line, shop.main)
    for dealer, quantity in ((hz, 1), (nb, 2), (gz, 4)):
        issue_invoice(dealer, shop.kettle, quantity, actor=hq_admin)
    report = reports.aging_report(user=hq_admin)
    assert [(line.label, line.dealer_count, line.total) for line in report.regions] == [
        ("广东省", 1, Decimal("400.00")),
        ("浙江省", 2, Decimal("300.00")),
    ]
    assert report.chart()["labels"] == ["广东省", "浙江省"]
    assert report.chart()["series"][0]["data"] == ["400.00", "300.00"]
    zhejiang = reports.aging_report(user=hq_admin, region=region("330000"))
    assert {line.dealer_id for line in zhejiang.dealers} == {hz.pk, nb.pk}
    assert zhejiang.total.total == Decimal("300.00")


def test_a_rep_sees_only_the_dealers_of_their_territory(shop, hq_admin, sales_rep):
    hz = trading_dealer("HZ1", "330100", shop.line, shop.main)
    gz = trading_dealer("GZ1", "440100", shop.line, shop.main)
    issue_invoice(hz, shop.kettle, 1, actor=hq_admin)
    issue_invoice(gz, shop.kettle, 2, actor=hq_admin)
    assert reports.aging_report(user=sales_rep).dealers == []
    user_update(actor=hq_admin, user=sales_rep, regions=[region("330000")])
    report = reports.aging_report(user=sales_rep)
    assert [line.dealer_id for line in report.dealers] == [hz.pk]
    assert report.total.total == Decimal("100.00")
    assert [line.label for line in report.regions] == ["浙江省"]


def test_the_report_costs_the_same_queries_for_many_dealers(shop, hq_admin, django_assert_num_queries):
    dealers = [trading_dealer(f"Q{n}", city, shop.line, shop.main) for n, city in enumerate(["330100", "440100"])]
    for dealer in dealers:
        issue_invoice(dealer, shop.kettle, 1, actor=hq_admin)
    with django_assert_num_queries(4):
        reports.aging_report(user=hq_admin)
    more = [trading_dealer(f"R{n}", city, shop.line, shop.main) for n, city in enumerate(["320500", "510100"] * 3)]
    for dealer in more:
        issue_invoice(dealer, shop.kettle, 1, actor=hq_admin)
    with django_assert_num_queries(4):
        report = reports.aging_report(user=hq_admin)
    assert len(report.dealers) == 8 and len(report.regions) == 4
