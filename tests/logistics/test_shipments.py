"""Shipments: an approved order leaves warehouse by warehouse and in parts, each part invoiced as it leaves; the
journey is tracked from a carrier's system; the dealer signs for what arrived; the order follows."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dms.errors import InvalidTransition, PermissionDeniedError, RuleViolation
from dms.events.models import Event
from logistics import services
from logistics.models import Carrier, ReceivingWindow, Shipment, TrackingEvent
from orders import selectors
from orders import services as orders
from orders.models import Invoice, Order
from tests.factories import region
from tests.factories.orders import levels

pytestmark = pytest.mark.django_db
S = Order.Status
St = Shipment.Status


def test_an_order_ships_in_two_parts_and_is_delivered_when_the_last_arrives(shop, desk, dealer_admin, approved):
    order = approved((shop.kettle, 30), (shop.oven, 10))  # 3,000 + 10,000
    first = services.shipment_create(actor=desk, order=order, warehouse=shop.main, lines=[(shop.kettle, 20)])
    assert (first.status, first.number[:3], first.requested_date) == (St.PLANNED, "SH-", timezone.localdate())
    assert levels(shop.kettle)["HZ"] == (100, 30)  # planning holds nothing more: the reservation is the hold

    services.shipment_dispatch(actor=desk, shipment=first)
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED
    assert levels(shop.kettle)["HZ"] == (80, 10)
    first.refresh_from_db()
    assert (first.status, first.invoice.gross_amount) == (St.IN_TRANSIT, Decimal("2000.00"))

    rest = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    assert sorted((line.product.sku, line.quantity) for line in rest.lines.all()) == [("K-100", 10), ("K-200", 10)]
    services.shipment_dispatch(actor=desk, shipment=rest)
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    assert sum(invoice.gross_amount for invoice in order.invoices.all()) == order.gross_amount == Decimal("13000.00")
    assert [line.shipped_quantity for line in order.lines.order_by("product__sku")] == [30, 10]

    services.shipment_deliver(actor=dealer_admin, shipment=first)
    order.refresh_from_db()
    assert order.status == S.SHIPPED  # the second shipment is still on its way
    services.shipment_deliver(actor=dealer_admin, shipment=rest, received={shop.oven.pk: 8}, note="两台破损")
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    rest.refresh_from_db()
    assert {line.product.sku: line.shortage for line in rest.lines.all()} == {"K-100": 0, "K-200": 2}
    delivered = Event.objects.get(verb="logistics.shipment_delivered", target_id=str(rest.pk))
    assert delivered.data["short"] == [{"sku": "K-200", "shipped": 10, "received": 8}]


def test_a_shipment_never_takes_more_than_the_order_has_left_in_that_warehouse(shop, desk, approved):
    order = approved((shop.kettle, 120))  # 100 reserved in 杭州, 20 in 上海
    with pytest.raises(RuleViolation) as refused:
        services.shipment_create(actor=desk, order=order, warehouse=shop.spare, lines=[(shop.kettle, 21)])
    assert refused.value.code == "more_than_left"
    assert refused.value.data["lines"] == [
        {"product": shop.kettle.pk, "sku": "K-100", "code": "more_than_left", "left": 20}
    ]
    services.shipment_create(actor=desk, order=order, warehouse=shop.spare, lines=[(shop.kettle, 15)])
    with pytest.raises(RuleViolation):  # 5 left to plan there
        services.shipment_create(actor=desk, order=order, warehouse=shop.spare, lines=[(shop.kettle, 6)])
    with pytest.raises(RuleViolation) as refused:
        services.shipment_create(actor=desk, order=order, warehouse=shop.main, lines=[(shop.oven, 1)])
    assert refused.value.data["lines"][0]["code"] == "not_ordered"
    assert services.left_to_plan(order=order, warehouse_id=shop.spare.pk) == {order.lines.get().pk: 5}


def test_cancelling_a_planned_shipment_leaves_its_quantities_to_plan_again(shop, desk, approved):
    order = approved((shop.kettle, 10))
    planned = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    with pytest.raises(services.NothingToShip):
        services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    services.shipment_cancel(actor=desk, shipment=planned, reason="换车")
    again = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    assert again.lines.get().quantity == 10
    services.shipment_dispatch(actor=desk, shipment=again)
    planned.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.shipment_dispatch(actor=desk, shipment=planned)
    with pytest.raises(InvalidTransition):
        services.shipment_cancel(actor=desk, shipment=again, reason="too late")


def test_a_carrier_shipment_names_its_carrier_and_is_quoted_from_the_rate_card(shop, desk, hq_admin, approved):
    shop.kettle.weight_kg, shop.kettle.volume_m3 = Decimal("2.5"), Decimal("0.01")
    shop.kettle.save()
    carrier = services.carrier_save(
        actor=hq_admin, fields={"code": "SF", "name": "顺丰", "tracking_url": "https://sf/{number}"}
    )
    services.rate_card_save(
        actor=hq_admin,
        fields={
            "carrier": carrier,
            "origin": shop.main,
            "destination": region("330000"),
            "per_kg": Decimal("1.2"),
            "minimum_charge": Decimal("30"),
        },
    )
    order = approved((shop.kettle, 40))
    with pytest.raises(RuleViolation) as refused:
        services.shipment_create(actor=desk, order=order, warehouse=shop.main, mode=Shipment.Mode.CARRIER)
    assert refused.value.code == "carrier_required"
    with pytest.raises(RuleViolation) as refused:
        services.shipment_create(actor=desk, order=order, warehouse=shop.main, carrier=carrier)
    assert refused.value.code == "carrier_not_allowed"
    shipment = services.shipment_create(
        actor=desk,
        order=order,
        warehouse=shop.main,
        mode=Shipment.Mode.CARRIER,
        carrier=carrier,
        tracking_number="SF123",
    )
    # 100 kg by weight against 0.4 m³ (66.7 kg) by volume: ¥120.
    assert (shipment.weight_kg, shipment.freight_quote, shipment.tracking_link) == (
        Decimal("100.000"),
        Decimal("120.00"),
        "https://sf/SF123",
    )
    Carrier.objects.filter(pk=carrier.pk).update(is_active=False)
    carrier.refresh_from_db()
    other = approved((shop.kettle, 1))
    with pytest.raises(RuleViolation):
        services.shipment_create(
            actor=desk, order=other, warehouse=shop.main, mode=Shipment.Mode.CARRIER, carrier=carrier
        )


def test_the_receiving_window_comes_from_the_dealer_and_may_be_changed_per_shipment(shop, desk, dealer_one, approved):
    ReceivingWindow.objects.create(dealer=dealer_one, opens=datetime.time(13, 0), closes=datetime.time(16, 30))
    order = approved((shop.kettle, 4))
    default = services.shipment_create(actor=desk, order=order, warehouse=shop.main, lines=[(shop.kettle, 2)])
    assert (default.window_opens, default.window_closes) == (datetime.time(13, 0), datetime.time(16, 30))
    own = services.shipment_create(
        actor=desk, order=order, warehouse=shop.main, window_opens=datetime.time(8), window_closes=datetime.time(10)
    )
    assert (own.window_opens, own.window_closes) == (datetime.time(8), datetime.time(10))
    with pytest.raises(RuleViolation) as refused:
        services.shipment_create(
            actor=desk,
            order=approved((shop.kettle, 1)),
            warehouse=shop.main,
            window_opens=datetime.time(12),
            window_closes=datetime.time(11),
        )
    assert refused.value.code == "invalid_window"


def test_who_may_plan_dispatch_and_sign(shop, desk, hq_staff, dealer_admin, dealer_two, approved):
    from tests.factories import UserFactory

    order = approved((shop.kettle, 2))
    with pytest.raises(PermissionDeniedError):
        services.shipment_create(actor=dealer_admin, order=order, warehouse=shop.main)
    shipment = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    with pytest.raises(PermissionDeniedError):
        services.shipment_dispatch(actor=dealer_admin, shipment=shipment)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    stranger = UserFactory(role="dealer_admin", dealer=dealer_two)
    with pytest.raises(PermissionDeniedError):
        services.shipment_deliver(actor=stranger, shipment=shipment)
    services.shipment_deliver(actor=dealer_admin, shipment=shipment)
    with pytest.raises(InvalidTransition):
        services.shipment_deliver(actor=dealer_admin, shipment=shipment)


def test_a_received_quantity_must_lie_between_nothing_and_what_was_shipped(shop, desk, dealer_admin, approved):
    shipment = services.shipment_create(actor=desk, order=approved((shop.kettle, 3)), warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    for wrong in ({shop.kettle.pk: 4}, {shop.kettle.pk: -1}, {shop.oven.pk: 1}):
        with pytest.raises(RuleViolation) as refused:
            services.shipment_deliver(actor=dealer_admin, shipment=shipment, received=wrong)
        assert refused.value.code == "invalid_received"
    shipment.refresh_from_db()
    assert shipment.status == St.IN_TRANSIT


class TestTracking:
    @pytest.fixture
    def on_the_way(self, shop, desk, approved):
        shipment = services.shipment_create(actor=desk, order=approved((shop.kettle, 5)), warehouse=shop.main)
        shipment = services.shipment_dispatch(actor=desk, shipment=shipment)
        # It left ten hours ago: the carrier's steps below happened since.
        shipment.tracking.update(occurred_at=timezone.now() - datetime.timedelta(hours=10))
        return shipment

    def track(self, desk, shipment, status, hours_ago, external_id="", **extra):
        return services.shipment_track(
            actor=desk,
            shipment=shipment,
            status=status,
            occurred_at=timezone.now() - datetime.timedelta(hours=hours_ago),
            external_id=external_id,
            **extra,
        )

    def test_the_same_external_id_is_recorded_once(self, desk, on_the_way):
        first, created = self.track(desk, on_the_way, "in_transit", 3, "CAR-1", location="嘉兴转运中心")
        again, created_again = self.track(desk, on_the_way, "in_transit", 3, "CAR-1", location="嘉兴转运中心")
        assert (created, created_again, again.pk) == (True, False, first.pk)
        assert on_the_way.tracking.count() == 2  # dispatched, and the carrier's step

    def test_a_late_arriving_step_takes_its_place_but_not_the_status(self, desk, on_the_way, dealer_admin):
        self.track(desk, on_the_way, "exception", 1, "CAR-2", note="地址不详")
        on_the_way.refresh_from_db()
        assert on_the_way.status == St.EXCEPTION
        delayed = Event.objects.get(verb="logistics.shipment_delayed")
        assert dealer_admin.pk in delayed.notify and delayed.data["note"] == "地址不详"
        self.track(desk, on_the_way, "in_transit", 2, "CAR-3")  # happened before the exception
        on_the_way.refresh_from_db()
        assert on_the_way.status == St.EXCEPTION
        steps = list(on_the_way.tracking.order_by("occurred_at", "id").values_list("status", flat=True))
        assert steps == ["dispatched", "in_transit", "exception"]
        self.track(desk, on_the_way, "out_for_delivery", 0, "CAR-4")
        on_the_way.refresh_from_db()
        assert on_the_way.status == St.IN_TRANSIT

    def test_a_delivered_step_delivers_the_shipment_and_the_order(self, desk, on_the_way):
        self.track(desk, on_the_way, "delivered", 0, "CAR-5", latitude=Decimal("30.25"), longitude=Decimal("120.16"))
        on_the_way.refresh_from_db()
        on_the_way.order.refresh_from_db()
        assert (on_the_way.status, on_the_way.order.status) == (St.DELIVERED, S.DELIVERED)
        assert on_the_way.lines.get().quantity_received == 5
        assert on_the_way.tracking.filter(status="delivered").count() == 1

    def test_steps_of_a_planned_shipment_or_in_the_future_are_refused(self, shop, desk, approved, on_the_way):
        planned = services.shipment_create(actor=desk, order=approved((shop.kettle, 1)), warehouse=shop.main)
        with pytest.raises(RuleViolation) as refused:
            self.track(desk, planned, "in_transit", 0)
        assert refused.value.code == "not_dispatched"
        with pytest.raises(RuleViolation) as refused:
            self.track(desk, on_the_way, "in_transit", -2)
        assert refused.value.code == "in_future"
        with pytest.raises(RuleViolation):
            self.track(desk, on_the_way, "dispatched", 0)
        assert not TrackingEvent.objects.filter(shipment=planned).exists()


def test_the_orders_ship_action_still_ships_everything_left_as_shipments(shop, desk, dealer_admin, approved):
    order = approved((shop.kettle, 120))
    part = services.shipment_create(actor=desk, order=order, warehouse=shop.main, lines=[(shop.kettle, 50)])
    services.shipment_dispatch(actor=desk, shipment=part)
    services.shipment_create(actor=desk, order=order, warehouse=shop.main, lines=[(shop.kettle, 30)])
    shipped = orders.order_ship(actor=desk, order=order)
    assert shipped.status == S.SHIPPED
    assert sorted(
        (s.warehouse.code, s.lines.get().quantity, s.status) for s in Shipment.objects.filter(order=order)
    ) == [("HZ", 20, St.IN_TRANSIT), ("HZ", 30, St.IN_TRANSIT), ("HZ", 50, St.IN_TRANSIT), ("SH", 20, St.IN_TRANSIT)]
    assert Invoice.objects.filter(order=order).count() == 4
    delivered = orders.order_deliver(actor=dealer_admin, order=order)
    assert delivered.status == S.DELIVERED
    assert not Shipment.objects.filter(order=order).exclude(status=St.DELIVERED).exists()


def test_a_partly_shipped_order_still_holds_credit_for_what_has_not_shipped(shop, desk, dealer_one, approved):
    order = approved((shop.kettle, 30))
    committed = selectors.credit_position(dealer=dealer_one)
    first = services.shipment_create(actor=desk, order=order, warehouse=shop.main, lines=[(shop.kettle, 20)])
    services.shipment_dispatch(actor=desk, shipment=first)

    position = selectors.credit_position(dealer=dealer_one)
    invoiced = first.order.invoices.get().gross_amount
    assert position.open_invoices == invoiced > 0
    assert position.open_orders == order.gross_amount - invoiced > 0
    assert position.exposure == committed.exposure
