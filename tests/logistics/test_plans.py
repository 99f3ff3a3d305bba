"""Delivery plans: a warehouse's day routed over its fleet in the worker, every route within capacity, windows
and shift, what cannot be planned listed with its reason, the saving against the naive plan, stops moved by
hand, routes locked through a new optimisation, and the plan dispatched once."""

import datetime

import pytest
from django.utils import timezone

from dms.errors import PermissionDeniedError
from logistics import services
from logistics.models import DeliveryPlan, PlanStop, Shipment
from orders.models import Order
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
P = DeliveryPlan.Status


def plan_for(desk, shop, date, capture):
    with capture(execute=True):
        plan, _created = services.delivery_plan_request(actor=desk, warehouse=shop.main, date=date)
    plan.refresh_from_db()
    return plan


def test_a_plan_keeps_every_route_within_capacity_windows_and_shift(
    desk, shop, day, django_capture_on_commit_callbacks
):
    date, shipments = day
    plan = plan_for(desk, shop, date, django_capture_on_commit_callbacks)
    assert plan.status == P.READY
    routes = list(plan.routes.select_related("vehicle").prefetch_related("stops__shipment"))
    planned = [stop.shipment_id for route in routes for stop in route.stops.all()]
    assert len(planned) == len(set(planned)) == 8
    for route in routes:
        stops = list(route.stops.all())
        assert sum(stop.shipment.weight_kg for stop in stops) == route.load_kg <= route.vehicle.capacity_kg
        assert route.vehicle.shift_start <= timezone.localtime(route.starts_at).time()
        assert timezone.localtime(route.ends_at).time() <= route.vehicle.shift_end
        for stop in stops:
            arrival = timezone.localtime(stop.arrival).time()
            assert stop.shipment.window_opens <= arrival <= stop.shipment.window_closes
        assert [stop.sequence for stop in stops] == list(range(1, len(stops) + 1))
    no_coordinates, heavy = shipments[8].pk, shipments[9].pk
    assert plan.unplanned == [
        {"shipment": no_coordinates, "reason": "no_coordinates"},
        {"shipment": heavy, "reason": "too_large"},
    ]
    assert 0 < plan.distance_m <= plan.naive_distance_m
    assert plan.saving_percent is not None and plan.cost == sum(route.cost for route in routes)


def test_a_moved_stop_locks_both_routes_and_a_new_optimisation_keeps_them(
    desk, shop, day, django_capture_on_commit_callbacks
):
    date, _shipments = day
    plan = plan_for(desk, shop, date, django_capture_on_commit_callbacks)
    routes = sorted(plan.routes.all(), key=lambda r: -r.stops.count())
    assert len(routes) >= 2
    busiest, other = routes[0], routes[-1]
    moving = next(
        stop for stop in busiest.stops.select_related("shipment") if stop.shipment.window_closes == datetime.time(17)
    )
    services.delivery_plan_move_stop(actor=desk, plan=plan, shipment_id=moving.shipment_id, route_id=other.pk)
    moved = PlanStop.objects.select_related("route").get(plan=plan, shipment_id=moving.shipment_id)
    assert moved.route.vehicle_id == other.vehicle_id and moved.route.locked
    kept = {
        (route.vehicle_id, tuple(route.stops.values_list("shipment_id", flat=True)))
        for route in plan.routes.filter(locked=True)
    }

    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_plan_reoptimise(actor=desk, plan=plan)
    plan.refresh_from_db()
    assert plan.status == P.READY
    assert kept <= {
        (route.vehicle_id, tuple(route.stops.values_list("shipment_id", flat=True))) for route in plan.routes.all()
    }
    assert PlanStop.objects.filter(plan=plan).count() == 8


def test_a_stop_that_would_overload_a_van_is_refused(desk, shop, day, django_capture_on_commit_callbacks):
    date, _shipments = day
    plan = plan_for(desk, shop, date, django_capture_on_commit_callbacks)
    van = plan.routes.filter(vehicle__plate="浙A·V1").first() or plan.routes.filter(vehicle__plate="浙A·V2").first()
    assert van is not None  # 320 kg do not fit in the 250 kg truck alone
    truck_stops = PlanStop.objects.filter(plan=plan).exclude(route=van)
    # Fill the van to its 200 kg, then one more 40 kg stop does not fit.
    with pytest.raises(services.RouteInfeasible):
        for stop in truck_stops:
            services.delivery_plan_move_stop(actor=desk, plan=plan, shipment_id=stop.shipment_id, route_id=van.pk)
            van = plan.routes.get(vehicle_id=van.vehicle_id)
    assert plan.routes.get(vehicle_id=van.vehicle_id).load_kg <= 200


def test_dispatching_the_plan_sends_every_stop_once(desk, shop, day, django_capture_on_commit_callbacks):
    date, _shipments = day
    plan = plan_for(desk, shop, date, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDeniedError):
        services.delivery_plan_dispatch(actor=UserFactory(role="hq_staff"), plan=plan)
    services.delivery_plan_dispatch(actor=desk, plan=plan)
    on_plan = set(PlanStop.objects.filter(plan=plan).values_list("shipment_id", flat=True))
    assert set(Shipment.objects.filter(status=Shipment.Status.IN_TRANSIT).values_list("pk", flat=True)) == on_plan
    assert Order.objects.filter(status=Order.Status.SHIPPED).count() == 8
    with pytest.raises(services.PlanDispatched):
        services.delivery_plan_dispatch(actor=desk, plan=plan)
    with pytest.raises(services.PlanDispatched):
        services.delivery_plan_request(actor=desk, warehouse=shop.main, date=date)


def test_a_plan_of_a_day_without_shipments_is_ready_and_empty(desk, shop, day, django_capture_on_commit_callbacks):
    date, _shipments = day
    plan = plan_for(desk, shop, date - datetime.timedelta(days=3), django_capture_on_commit_callbacks)
    assert (plan.status, plan.routes.count(), plan.unplanned, plan.saving_percent) == (P.READY, 0, [], None)
    assert services.delivery_plan_solve(plan_id=plan.pk) is None  # a ready plan is not solved again unasked
