"""Delivery KPIs: the definitions on a hand-built set of shipments, each grouping and filter, who sees what, the
pages with their exports, the API, and a cost in queries that does not grow with the shipments."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dms.accounts.models import Role
from logistics import kpis, services
from logistics.models import Shipment, ShipmentLine
from orders import services as orders
from orders.models import Order
from tests.factories import UserFactory, region
from tests.factories.orders import ProductFactory, authorize, credit, stock
from tests.platform.query_budget import count_queries

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_AGO = datetime.date(2020, 1, 1)
OWN, CARRIER, PICKUP = Shipment.Mode.OWN_FLEET, Shipment.Mode.CARRIER, Shipment.Mode.PICKUP


def at(day: str, clock: str = "10:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _today():
    """The reports' default period is the last twelve months: 2025-07 to 2026-06."""
    with time_machine.travel(at("2026-06-20"), tick=False):
        yield


def english(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def approved_order(*, actor, dealer, product, quantity: int = 2) -> Order:
    """An order submitted and approved now; the older deliveries' invoices are overdue, so approval takes a
    reason."""
    draft = orders.order_create(actor=actor, dealer=dealer, lines=[{"product": product, "quantity": quantity}])
    order = orders.order_submit(actor=actor, order=draft)
    if order.status == Order.Status.PENDING_APPROVAL:
        order = orders.order_approve(actor=actor, order=order, reason="test")
    return order


@pytest.fixture
def deliver(shop, dealer_one, hq_admin):
    """``deliver(approved=..., delivered=..., requested=...)``: an order approved at one moment, shipped at once
    and delivered at another, with what arrived of its two units."""

    def make(
        *,
        approved: datetime.datetime,
        delivered: datetime.datetime,
        requested: str,
        closes: str = "17:00",
        dealer=None,
        product=None,
        warehouse=None,
        mode=OWN,
        carrier=None,
        received: int | None = None,
    ) -> Shipment:
        dealer = dealer or dealer_one
        product = product or shop.kettle
        with time_machine.travel(approved, tick=False):
            order = approved_order(actor=hq_admin, dealer=dealer, product=product)
            shipment = services.shipment_create(
                actor=hq_admin,
                order=order,
                warehouse=warehouse or shop.main,
                mode=mode,
                carrier=carrier,
                requested_date=datetime.date.fromisoformat(requested),
                window_opens=datetime.time(9),
                window_closes=datetime.time.fromisoformat(closes),
            )
            services.shipment_dispatch(actor=hq_admin, shipment=shipment)
        with time_machine.travel(delivered, tick=False):
            services.shipment_deliver(
                actor=hq_admin, shipment=shipment, received=None if received is None else {product.pk: received}
            )
        shipment.refresh_from_db()
        return shipment

    return make


@pytest.fixture
def shipments(shop, dealer_one, dealer_two, hq_admin, deliver):
    """Eight deliveries of the last twelve months, one a year before them and one still on its way.

    ====  =========  ===========  ==============  ===========================  =================  ====
    name  warehouse  mode         requested       delivered                    what               lead
    ====  =========  ===========  ==============  ===========================  =================  ====
    late  杭州       own fleet    05-11 9–17      05-12 09:30                  a day late         4 d
    early 杭州       own fleet    05-20           05-18 19:00                  early, any hour    3 d
    last  杭州       own fleet    05-25 9–17      05-25 17:00                  the window's end   4 d
    over  杭州       own fleet    05-26 9–17      05-26 17:01                  a minute past it   4 d
    short 杭州       own fleet    06-05           06-04 11:00                  one unit short     3 d
    fee   上海       carrier SF   06-10           06-10 10:00                  charged 60 (q. 50) 2 d
    quote 杭州       carrier DP   06-12           06-13 08:00                  quoted 40, late    3 d
    pick  杭州       pickup       06-15 9–17      06-15 16:00                  dealer 2 (广州)    5 d
    ====  =========  ===========  ==============  ===========================  =================  ====
    """
    authorize(dealer_one, shop.line, valid_from=LONG_AGO)
    authorize(dealer_two, shop.line, valid_from=LONG_AGO)
    credit(dealer_two, "100000.00", warehouse=shop.main)
    spare_only = ProductFactory(sku="S-100", product_line=shop.line, base_price="100.00")
    stock(spare_only, shop.spare, 50)
    sf = services.carrier_save(actor=hq_admin, fields={"code": "SF", "name": "顺丰快运"})
    deppon = services.carrier_save(actor=hq_admin, fields={"code": "DEPPON", "name": "德邦快递"})
    made = {
        "late": deliver(
            approved=at("2026-05-08", "09:30"), delivered=at("2026-05-12", "09:30"), requested="2026-05-11"
        ),
        "early": deliver(
            approved=at("2026-05-15", "19:00"), delivered=at("2026-05-18", "19:00"), requested="2026-05-20"
        ),
        "last": deliver(
            approved=at("2026-05-21", "17:00"), delivered=at("2026-05-25", "17:00"), requested="2026-05-25"
        ),
        "over": deliver(
            approved=at("2026-05-22", "17:01"), delivered=at("2026-05-26", "17:01"), requested="2026-05-26"
        ),
        "short": deliver(
            approved=at("2026-06-01", "11:00"), delivered=at("2026-06-04", "11:00"), requested="2026-06-05", received=1
        ),
        "fee": deliver(
            approved=at("2026-06-08"),
            delivered=at("2026-06-10"),
            requested="2026-06-10",
            product=spare_only,
            warehouse=shop.spare,
            mode=CARRIER,
            carrier=sf,
        ),
        "quote": deliver(
            approved=at("2026-06-10", "08:00"),
            delivered=at("2026-06-13", "08:00"),
            requested="2026-06-12",
            mode=CARRIER,
            carrier=deppon,
        ),
        "pick": deliver(
            approved=at("2026-06-10", "16:00"),
            delivered=at("2026-06-15", "16:00"),
            requested="2026-06-15",
            dealer=dealer_two,
            mode=PICKUP,
        ),
        "last_year": deliver(approved=at("2025-06-01"), delivered=at("2025-06-10"), requested="2025-06-10"),
    }
    # The carriers' actual charge is imported from their bills; here it is written as that import would.
    Shipment.objects.filter(pk=made["fee"].pk).update(freight_quote=Decimal("50.00"), freight_charge=Decimal("60.00"))
    Shipment.objects.filter(pk=made["quote"].pk).update(freight_quote=Decimal("40.00"), freight_charge=None)
    on_the_way = approved_order(actor=hq_admin, dealer=dealer_one, product=shop.kettle)
    services.shipment_dispatch(
        actor=hq_admin, shipment=services.shipment_create(actor=hq_admin, order=on_the_way, warehouse=shop.main)
    )
    return made


def report(user, **kwargs) -> kpis.KpiReport:
    first, last = kpis.default_months()
    return kpis.shipment_kpis(user=user, **{"first_month": first, "last_month": last, **kwargs})


def figures(line) -> tuple:
    return (line.delivered, line.on_time, line.in_full, line.otif)


def test_the_definitions_on_a_hand_built_set(shipments, hq_admin):
    total = report(hq_admin).total
    # On time: early (another day, any hour), last (17:00 sharp), short, fee, pick; late, over and quote are not.
    assert figures(total) == (8, 5, 7, 4)
    assert (total.on_time_percent, total.in_full_percent, total.otif_percent) == (
        Decimal("62.5"),
        Decimal("87.5"),
        Decimal("50.0"),
    )
    # (4 + 3 + 4 + 4 + 3 + 2 + 3 + 5) days / 8
    assert total.lead_days == Decimal("3.5")
    # The charge where there is one (60, not its quote of 50), the quote where there is not (40); own fleet and
    # pickup are left out, their invoices too.
    invoiced = shipments["fee"].invoice.net_amount + shipments["quote"].invoice.net_amount
    assert (total.freight_count, total.freight_cost, total.invoiced) == (2, Decimal("100.00"), invoiced)
    assert total.freight_percent == (Decimal("10000") / invoiced).quantize(Decimal("0.01"))


def test_on_time_is_decided_by_the_local_day_and_the_window(shipments, hq_admin):
    by_month = {line.key: line for line in report(hq_admin).lines}
    # May: late and over are late; early and last on time, all in full.
    assert figures(by_month["2026-05"]) == (4, 2, 4, 2)
    # June: short (on time, not in full), fee (on time), quote (late), pick (on time).
    assert figures(by_month["2026-06"]) == (4, 3, 3, 2)


def test_by_month_every_month_of_the_period_in_order(shipments, hq_admin):
    lines = report(hq_admin).lines
    assert [line.key for line in lines] == [f"2025-{m:02d}" for m in range(7, 13)] + [
        f"2026-{m:02d}" for m in range(1, 7)
    ]
    assert [line.delivered for line in lines] == [0] * 10 + [4, 4]
    assert lines[0].on_time_percent is None and lines[0].lead_days is None
    year_ago = report(hq_admin, first_month=datetime.date(2025, 6, 1), last_month=datetime.date(2025, 6, 1))
    assert [(line.key, line.delivered) for line in year_ago.lines] == [("2025-06", 1)]


def test_by_warehouse(shipments, hq_admin):
    lines = report(hq_admin, group="warehouse").lines
    assert [(line.key, line.delivered, line.freight_count) for line in lines] == [("HZ", 7, 1), ("SH", 1, 1)]
    assert lines[1].label == "上海仓"


def test_by_carrier_with_the_modes_that_have_none(shipments, hq_admin):
    lines = report(hq_admin, group="carrier").lines
    assert [(line.key, line.label, line.delivered) for line in lines] == [
        ("DEPPON", "德邦快递", 1),
        ("SF", "顺丰快运", 1),
        ("own_fleet", str(Shipment.Mode.OWN_FLEET.label), 5),
        ("pickup", str(Shipment.Mode.PICKUP.label), 1),
    ]
    sf, deppon = lines[1], lines[0]
    assert sf.freight_percent == (Decimal("6000") / shipments["fee"].invoice.net_amount).quantize(Decimal("0.01"))
    assert deppon.freight_cost == Decimal("40.00")
    assert lines[2].freight_percent is None


def test_by_province_of_the_ship_to_region(shipments, hq_admin):
    lines = report(hq_admin, group="region").lines
    assert [(line.key, line.label, line.delivered) for line in lines] == [
        ("330000", "浙江省", 7),
        ("440000", "广东省", 1),
    ]
    assert report(hq_admin, group="region").total.delivered == 8


def test_filters_by_warehouse_and_mode(shipments, hq_admin, shop):
    assert report(hq_admin, warehouse=shop.spare).total.delivered == 1
    by_carrier = report(hq_admin, mode=CARRIER).total
    assert (by_carrier.delivered, by_carrier.on_time, by_carrier.freight_count) == (2, 1, 2)


def test_each_sees_the_shipments_of_their_scope(shipments, hq_admin, dealer_admin, sales_rep):
    assert report(dealer_admin).total.delivered == 7
    assert report(sales_rep).total.delivered == 0
    zhejiang = UserFactory(username="zhejiang", role=Role.HQ_STAFF)
    zhejiang.regions.add(region("330000"))
    assert [(line.key, line.delivered) for line in report(zhejiang, group="region").lines] == [("330000", 7)]
    guangdong = UserFactory(username="guangdong", role=Role.SALES_REP)
    guangdong.regions.add(region("440000"))
    assert [(line.key, line.delivered) for line in report(guangdong, group="carrier").lines] == [("pickup", 1)]


def test_the_head_office_page_filters_and_shows_the_chart(shipments, hq_admin):
    client = english(hq_admin)
    page = client.get(reverse("logistics:kpis"), {"group": "carrier", "from": "2026-05", "to": "2026-06"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="kpi-chart"' in body and "js/delivery-kpis.js" in body and "vendor/echarts/echarts.min.js" in body
    assert 'data-figure="otif">50.0%' in body and 'data-figure="lead_days">3.5 d' in body
    chart = page.context["chart"]
    assert chart["labels"] == ["德邦快递", "顺丰快运", "own fleet", "pickup by the dealer"]
    assert chart["otif"] == ["0.0", "100.0", "40.0", "100.0"] and chart["freight"][2:] == [None, None]
    assert "Own-fleet and pickup shipments have no freight cost" in body


def test_a_period_that_does_not_hold_is_shown_and_the_default_is_reported(shipments, hq_admin):
    page = english(hq_admin).get(reverse("logistics:kpis"), {"from": "2026-06", "to": "2026-01"})
    assert page.status_code == 200
    assert page.context["form"].errors == {"to": ["The last month is before the first."]}
    assert page.context["report"].total.delivered == 8


def test_the_export_is_the_table(shipments, hq_admin):
    client = english(hq_admin)
    response = client.get(reverse("logistics:kpis"), {"group": "warehouse", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="delivery-kpis-warehouse-202507-202606-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Warehouse", "Delivered", "On time", "In full", "On time in full"]
    assert [row[:5] for row in rows[1:]] == [
        ["Hangzhou", "7", "4", "6", "3"],
        ["Shanghai", "1", "1", "1", "1"],
        ["Total", "8", "5", "7", "4"],
    ]
    assert rows[-1][8] == "3.5"

    workbook = load_workbook(io.BytesIO(client.get(reverse("logistics:kpis"), {"export": "xlsx"}).content))
    assert workbook.sheetnames == ["Delivery KPIs", "Notes"]
    table = list(workbook["Delivery KPIs"].values)
    assert table[0][0] == "Month" and len(table) == 1 + 12 + 1
    assert table[-1][:5] == ("Total", 8, 5, 7, 4)


def test_the_portal_shows_the_dealer_its_own_deliveries_by_month(shipments, dealer_admin):
    page = english(dealer_admin).get(reverse("portal:delivery_kpis"))
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.group, report.total.delivered, len(report.lines)) == ("month", 7, 12)
    assert 'id="kpi-chart"' in page.content.decode()
    export = english(dealer_admin).get(reverse("portal:delivery_kpis"), {"export": "csv"})
    assert export.content.decode("utf-8-sig").splitlines()[-1].startswith("Total,7,")
    assert reverse("portal:delivery_kpis") in english(dealer_admin).get(reverse("portal:home")).content.decode()


@pytest.mark.parametrize(
    ("role", "url_name"), [("dealer_admin", "logistics:kpis"), ("hq_admin", "portal:delivery_kpis")]
)
def test_each_page_is_for_its_own_door(users, role, url_name):
    assert english(users[role]).get(reverse(url_name)).status_code == 403
    assert Client().get(reverse(url_name)).status_code == 302


def test_the_api_answers_by_group_in_the_user_scope(shipments, api_as, hq_admin, dealer_admin):
    url = reverse("api:shipment-kpis")
    body = api_as(hq_admin).get(url, {"group": "carrier", "from": "2026-05"}).json()
    assert (body["group"], body["start"], body["end"]) == ("carrier", "2026-05-01", "2026-06-30")
    assert [(row["key"], row["delivered"]) for row in body["rows"]] == [
        ("DEPPON", 1),
        ("SF", 1),
        ("own_fleet", 5),
        ("pickup", 1),
    ]
    assert body["total"]["otif_percent"] == "50.0" and body["total"]["lead_time_days"] == "3.5"
    assert body["total"]["freight_cost"] == "100.00"
    own = api_as(dealer_admin).get(url).json()
    assert own["group"] == "month" and own["total"]["delivered"] == 7 and len(own["rows"]) == 12


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"group": "dealer"}, "group"),
        ({"from": "2026-13"}, "from"),
        ({"from": "2026-06", "to": "2026-01"}, "to"),
        ({"from": "2020-01"}, "from"),
        ({"warehouse": "NOWHERE"}, "warehouse"),
        ({"mode": "drone"}, "mode"),
    ],
)
def test_the_api_refuses_bad_parameters(api_as, hq_admin, query, field):
    response = api_as(hq_admin).get(reverse("api:shipment-kpis"), query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and list(response.json()["fields"]) == [field]


def add_deliveries(shop, count: int, *, actor) -> None:
    """``count`` more deliveries over the months, warehouses, modes and regions, written straight to the tables
    (the services would take a second each)."""
    order = Order.objects.filter(dealer__code="D00001").order_by("id").first()
    line = order.lines.first()
    carrier = services.carrier_save(actor=actor, fields={"code": f"C{Shipment.objects.count()}", "name": "承运"})
    for n in range(count):
        delivered = at(f"2026-{1 + n % 6:02d}-{1 + n % 27:02d}")
        mode = (OWN, CARRIER, PICKUP)[n % 3]
        shipment = Shipment.objects.create(
            number=f"SH-Q-{Shipment.objects.count()}",
            order=order,
            dealer=order.dealer,
            warehouse=(shop.main, shop.spare)[n % 2],
            status=Shipment.Status.DELIVERED,
            mode=mode,
            carrier=carrier if mode == CARRIER else None,
            ship_to_region=region(("330100", "440100", "510100")[n % 3]),
            requested_date=delivered.date(),
            window_opens=datetime.time(9),
            window_closes=datetime.time(17),
            freight_quote=Decimal("30.00") if mode == CARRIER else None,
            delivered_at=delivered,
        )
        ShipmentLine.objects.create(
            shipment=shipment, order_line=line, product=line.product, quantity=2, quantity_received=2
        )


@pytest.mark.parametrize("group", ["month", "warehouse", "carrier", "region"])
def test_the_cost_in_queries_does_not_grow_with_the_shipments(
    shipments, shop, hq_admin, dealer_admin, fresh_cache, django_assert_num_queries, group
):
    for user, url in (
        (hq_admin, f"{reverse('logistics:kpis')}?group={group}"),
        (dealer_admin, reverse("portal:delivery_kpis")),
        (dealer_admin, f"{reverse('api:shipment-kpis')}?group={group}"),
    ):
        client = english(user)
        client.get(url)
        fresh_cache()
        few = count_queries(client, url)
        cached = count_queries(client, url)
        add_deliveries(shop, 30, actor=hq_admin)
        fresh_cache()
        assert count_queries(client, url) == few, url
        # Kept a minute: the report's queries are not run again.
        assert cached < few
    # The sums in one query; the names of the warehouses, carriers or provinces in another.
    with django_assert_num_queries(1 if group == "month" else 2):
        report(hq_admin, group=group)
