"""Shipments under real concurrent PostgreSQL connections: planning, dispatching and tracking the same order at
once ship no more than was ordered, dispatch once, and record a carrier's step once; claims of one line never
claim more than arrived, and a claim is decided once."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from dms.errors import RuleViolation
from logistics import services
from logistics.models import DeliveryClaim, DeliveryPlan, Shipment, TrackingEvent
from orders.models import Invoice, Payment, StockLevel
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_shipments_of_the_same_line_at_once_never_plan_more_than_is_left(shop, desk, approved):
    order = approved((shop.kettle, 100))  # all of it reserved in 杭州
    outcomes = run_together(
        lambda quantity: services.shipment_create(
            actor=desk, order=order, warehouse=shop.main, lines=[(shop.kettle, quantity)]
        ),
        [60, 60, 60],
    )
    planned = [o for o in outcomes if isinstance(o, Shipment)]
    refused = [o for o in outcomes if isinstance(o, RuleViolation)]
    assert (len(planned), len(refused)) == (1, 2), outcomes
    assert {error.code for error in refused} == {"more_than_left"}
    assert services.left_to_plan(order=order, warehouse_id=shop.main.pk) == {order.lines.get().pk: 40}


def test_two_dispatches_of_the_same_shipment_ship_it_once(shop, desk, approved):
    order = approved((shop.kettle, 30))
    shipment = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    outcomes = run_together(lambda _: services.shipment_dispatch(actor=desk, shipment=shipment), [1, 2])
    assert sorted(type(o).__name__ for o in outcomes) == ["InvalidTransition", "Shipment"], outcomes
    level = StockLevel.objects.get(product=shop.kettle, warehouse=shop.main)
    assert (level.on_hand, level.reserved) == (70, 0)
    assert Invoice.objects.filter(order=order).count() == 1


def test_dispatching_the_last_units_of_two_orders_at_once_never_takes_stock_below_zero(shop, desk, approved):
    first, second = approved((shop.kettle, 100)), approved((shop.kettle, 50))  # 杭州's 100, then 上海's 50
    shipments = [
        services.shipment_create(actor=desk, order=order, warehouse=warehouse)
        for order, warehouse in ((first, shop.main), (second, shop.spare))
    ]
    outcomes = run_together(lambda s: services.shipment_dispatch(actor=desk, shipment=s), shipments)
    assert all(isinstance(o, Shipment) for o in outcomes), outcomes
    assert sorted(StockLevel.objects.filter(product=shop.kettle).values_list("on_hand", "reserved")) == [(0, 0), (0, 0)]


def test_a_carriers_step_sent_twice_at_once_is_recorded_once(shop, desk, approved):
    shipment = services.shipment_create(actor=desk, order=approved((shop.kettle, 5)), warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    happened = timezone.now() - datetime.timedelta(minutes=1)
    outcomes = run_together(
        lambda _: services.shipment_track(
            actor=desk, shipment=shipment, status="in_transit", occurred_at=happened, external_id="SF-EV-1"
        ),
        [1, 2, 3],
    )
    assert sorted(created for _event, created in outcomes) == [False, False, True], outcomes
    assert len({event.pk for event, _created in outcomes}) == 1
    assert TrackingEvent.objects.filter(shipment=shipment, external_id="SF-EV-1").count() == 1


def test_two_dispatches_of_the_same_plan_dispatch_it_once(shop, desk, day, django_capture_on_commit_callbacks):
    date, _shipments = day
    with django_capture_on_commit_callbacks(execute=True):
        plan, _created = services.delivery_plan_request(actor=desk, warehouse=shop.main, date=date)
    plan.refresh_from_db()
    assert plan.status == DeliveryPlan.Status.READY
    outcomes = run_together(lambda _: services.delivery_plan_dispatch(actor=desk, plan=plan), [1, 2])
    assert sorted(type(o).__name__ for o in outcomes) == ["DeliveryPlan", "PlanDispatched"], outcomes
    assert Shipment.objects.filter(status=Shipment.Status.IN_TRANSIT).count() == 8
    assert Invoice.objects.count() == 8


def test_two_damage_claims_of_the_same_line_at_once_never_claim_more_than_arrived(shop, desk, dealer_admin, approved):
    shipment = services.shipment_create(actor=desk, order=approved((shop.kettle, 10)), warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    services.shipment_deliver(actor=dealer_admin, shipment=shipment)
    outcomes = run_together(
        lambda quantity: services.claim_open(
            actor=dealer_admin, shipment=shipment, kind="damage", lines=[(shop.kettle, quantity)], description="破损"
        ),
        [6, 6, 6],
    )
    opened = [o for o in outcomes if isinstance(o, DeliveryClaim)]
    assert len(opened) == 1, outcomes
    assert {o.code for o in outcomes if not isinstance(o, DeliveryClaim)} == {"invalid_claim_lines"}


def test_two_decisions_of_the_same_claim_at_once_credit_once(shop, desk, dealer_admin, approved):
    desk.user_permissions.add(Permission.objects.get(codename="resolve_claim"))
    shipment = services.shipment_create(actor=desk, order=approved((shop.kettle, 10)), warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    services.shipment_deliver(actor=dealer_admin, shipment=shipment, received={shop.kettle.pk: 7})
    claim = DeliveryClaim.objects.get(shipment=shipment)
    outcomes = run_together(
        lambda resolution: services.claim_resolve(actor=desk, claim=claim, resolution=resolution, reason="核实"),
        ["credit", "credit", "reship"],
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["DeliveryClaim", "InvalidTransition", "InvalidTransition"]
    assert Payment.objects.filter(method=Payment.Method.CREDIT_NOTE).count() <= 1
    assert Shipment.objects.filter(replaces=claim).count() <= 1
