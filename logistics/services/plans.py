"""Delivery plans: a warehouse's own-fleet shipments of a day routed over its active vehicles by the solver in
the worker, compared with the naive plan; the order desk moves a stop, locks a route and optimises the rest
again, then dispatches the plan.

The solver runs outside any transaction: the plan is marked ``solving`` and committed, the solver works on what
was read, and its result is written under the plan's lock only if the plan is still the one it was asked to
solve (a newer request puts it back in the queue and wins).
"""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms import events
from dms.accounts.models import User
from dms.errors import DomainError, InvalidTransition, PermissionDeniedError, RuleViolation
from dms.scoping import actor_or_none
from logistics import routing, selectors, verbs
from logistics.models import DeliveryPlan, PlanRoute, PlanStop, Shipment, Vehicle
from logistics.services.common import lock_order, lock_shipment
from logistics.services.shipments import _dispatch
from orders import services as orders
from orders.models import Warehouse

logger = logging.getLogger(__name__)
P = DeliveryPlan.Status
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    P.QUEUED: frozenset({P.SOLVING, P.QUEUED}),
    P.SOLVING: frozenset({P.READY, P.FAILED, P.QUEUED}),
    P.READY: frozenset({P.QUEUED, P.DISPATCHED}),
    P.FAILED: frozenset({P.QUEUED}),
    P.DISPATCHED: frozenset(),
}


class PlanDispatched(DomainError):
    code = "plan_dispatched"
    message = _("This plan has been dispatched: it can no longer change.")
    status_code = 409


class RouteInfeasible(RuleViolation):
    code = "route_infeasible"
    message = _("That route cannot take this stop: it would be too full, miss a window or end after the shift.")


def plan_move(plan: DeliveryPlan, target: str) -> None:
    """The one place a plan's status is assigned, checked against ``PLAN_TRANSITIONS``."""
    if target not in PLAN_TRANSITIONS[plan.status]:
        if plan.status == P.DISPATCHED:
            raise PlanDispatched()
        raise InvalidTransition(current=plan.get_status_display(), target=P(target).label)
    plan.status = target


def _require_planner(actor: User | None) -> None:
    """Who ships orders and sees every dealer: a plan routes every dealer's stops of the warehouse's day."""
    if not orders.can(actor, "ship_order") or (actor is not None and not selectors.can_see_plans(actor)):
        raise PermissionDeniedError()


def _enqueue(plan_id: int) -> None:
    from logistics.tasks import delivery_plan_solve_task

    transaction.on_commit(lambda: delivery_plan_solve_task.delay(plan_id))


def _lock(plan: DeliveryPlan) -> DeliveryPlan:
    return DeliveryPlan.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=plan.pk)


def delivery_plan_request(
    *, actor: User | None, warehouse: Warehouse, date: datetime.date
) -> tuple[DeliveryPlan, bool]:
    """Plan a warehouse's day, or plan it again: the plan is queued for the worker. Returns (plan, created)."""
    _require_planner(actor)
    if warehouse.latitude is None or warehouse.longitude is None:
        raise RuleViolation(
            _("The warehouse has no coordinates: routes start and end there."), code="no_coordinates", field="warehouse"
        )
    with transaction.atomic():
        plan, created = DeliveryPlan.objects.get_or_create(
            warehouse=warehouse,
            date=date,
            defaults={"time_limit_s": round(settings.DMS_ROUTING_SECONDS), "requested_by": actor_or_none(actor)},
        )
        if not created:
            plan = _lock(plan)
            plan_move(plan, P.QUEUED)
            plan.requested_by = actor_or_none(actor)
            plan.time_limit_s = round(settings.DMS_ROUTING_SECONDS)
            plan.error = ""
            plan.save()
        events.record(
            actor=actor,
            verb=verbs.PLAN_REQUESTED.code,
            target=plan,
            data={"warehouse": warehouse.code, "date": date.isoformat()},
            dealer_id=None,
        )
        _enqueue(plan.pk)
    return plan, created


def delivery_plan_reoptimise(*, actor: User | None, plan: DeliveryPlan) -> DeliveryPlan:
    """Optimise the plan again: locked routes stay as they are, the rest of the day's shipments are routed over
    the other vehicles."""
    _require_planner(actor)
    with transaction.atomic():
        locked = _lock(plan)
        plan_move(locked, P.QUEUED)
        locked.error = ""
        locked.save()
        events.record(actor=actor, verb=verbs.PLAN_REQUESTED.code, target=locked, data={"again": True}, dealer_id=None)
        _enqueue(locked.pk)
    return locked


def day_shipments(*, warehouse_id: int, date: datetime.date):
    """The shipments a plan of the warehouse's day takes: planned, by the own fleet, wanted that day or before."""
    return Shipment.objects.filter(
        warehouse_id=warehouse_id,
        status=Shipment.Status.PLANNED,
        mode=Shipment.Mode.OWN_FLEET,
        requested_date__lte=date,
    ).order_by("requested_date", "id")


def _seconds(moment: datetime.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _at(date: datetime.date, seconds: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time()) + datetime.timedelta(seconds=seconds))


def _stop(shipment: Shipment) -> routing.Stop:
    place = None
    if shipment.latitude is not None and shipment.longitude is not None:
        place = routing.Place(float(shipment.latitude), float(shipment.longitude))
    return routing.Stop(
        key=shipment.pk,
        place=place,
        weight_g=int(shipment.weight_kg * 1000),
        volume_cm3=int(shipment.volume_m3 * 1_000_000),
        window=(_seconds(shipment.window_opens), _seconds(shipment.window_closes)),
        service_s=settings.DMS_ROUTING_SERVICE_MINUTES * 60,
    )


def _vehicle(vehicle: Vehicle) -> routing.Vehicle:
    return routing.Vehicle(
        key=vehicle.pk,
        capacity_g=int(vehicle.capacity_kg * 1000),
        capacity_cm3=int(vehicle.capacity_m3 * 1_000_000),
        shift=(_seconds(vehicle.shift_start), _seconds(vehicle.shift_end)),
        cost_per_km=routing.cost_units(vehicle.cost_per_km),
        fixed_cost=routing.cost_units(vehicle.fixed_cost),
    )


def _problem(warehouse: Warehouse, shipments: list[Shipment], vehicles: list[Vehicle]) -> routing.Problem:
    depot = routing.Place(float(warehouse.latitude), float(warehouse.longitude))
    return routing.road_problem(
        depot,
        [_stop(s) for s in shipments],
        [_vehicle(v) for v in vehicles],
        road_factor=settings.DMS_ROUTING_ROAD_FACTOR,
        speed_kmh=settings.DMS_ROUTING_SPEED_KMH,
    )


def _write_route(plan: DeliveryPlan, vehicle: Vehicle, route: routing.Route, *, locked: bool = False) -> PlanRoute:
    saved = PlanRoute.objects.create(
        plan=plan,
        vehicle=vehicle,
        locked=locked,
        starts_at=_at(plan.date, route.start_s),
        ends_at=_at(plan.date, route.end_s),
        distance_m=route.distance_m,
        load_kg=Decimal(route.load_g) / 1000,
        load_m3=Decimal(route.load_cm3) / 1_000_000,
        cost=routing.yuan(route.cost),
    )
    PlanStop.objects.bulk_create(
        [
            PlanStop(
                plan=plan, route=saved, shipment_id=stop.key, sequence=number, arrival=_at(plan.date, stop.arrival_s)
            )
            for number, stop in enumerate(route.stops, start=1)
        ]
    )
    return saved


def _totals(plan: DeliveryPlan) -> None:
    routes = list(plan.routes.all())
    plan.distance_m = sum(r.distance_m for r in routes)
    plan.cost = sum((r.cost for r in routes), Decimal(0))


def delivery_plan_solve(*, plan_id: int) -> DeliveryPlan | None:
    """Solve a queued plan (the worker's task). Safe to run twice: only a queued plan is taken, and the result is
    kept only if nobody asked for the plan again meanwhile."""
    with transaction.atomic():
        plan = (
            DeliveryPlan.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("warehouse")
            .filter(pk=plan_id, status=P.QUEUED)
            .first()
        )
        if plan is None:
            return None
        plan_move(plan, P.SOLVING)
        plan.started_at, plan.finished_at = timezone.now(), None
        plan.save()
    started = plan.started_at
    kept = set(PlanStop.objects.filter(plan=plan, route__locked=True).values_list("shipment_id", flat=True))
    busy = set(PlanRoute.objects.filter(plan=plan, locked=True).values_list("vehicle_id", flat=True))
    shipments = [s for s in day_shipments(warehouse_id=plan.warehouse_id, date=plan.date) if s.pk not in kept]
    vehicles = list(
        Vehicle.objects.filter(warehouse_id=plan.warehouse_id, is_active=True).exclude(pk__in=busy).order_by("plate")
    )
    try:
        problem = _problem(plan.warehouse, shipments, vehicles)
        best = routing.solve(problem, seconds=plan.time_limit_s)
        naive = routing.naive(problem)
    except Exception as exc:  # a solver failure is the plan's state, shown to the desk; the worker goes on
        logger.exception("delivery plan %s failed", plan.pk)
        with transaction.atomic():
            current = _lock(plan)
            if current.status == P.SOLVING and current.started_at == started:
                plan_move(current, P.FAILED)
                current.error = str(exc)[:500]
                current.finished_at = timezone.now()
                current.save()
        return current
    with transaction.atomic():
        current = _lock(plan)
        if current.status != P.SOLVING or current.started_at != started:
            return current  # asked for again while solving: the newer request's result counts
        current.routes.filter(locked=False).delete()
        by_id = {v.pk: v for v in vehicles}
        for route in best.routes:
            _write_route(current, by_id[route.vehicle], route)
        current.unplanned = [{"shipment": key, "reason": reason} for key, reason in sorted(best.unplanned.items())]
        _totals(current)
        locked_routes = [r for r in current.routes.all() if r.locked]
        current.naive_distance_m = naive.distance_m + sum(r.distance_m for r in locked_routes)
        current.naive_cost = routing.yuan(naive.cost) + sum((r.cost for r in locked_routes), Decimal(0))
        plan_move(current, P.READY)
        current.finished_at = timezone.now()
        current.save()
        events.record(
            actor=None,
            verb=verbs.PLAN_READY.code,
            target=current,
            data={
                "routes": len(best.routes),
                "unplanned": len(best.unplanned),
                "km": round(current.distance_m / 1000, 1),
            },
            notify=[current.requested_by_id] if current.requested_by_id else (),
            dealer_id=None,
        )
    return current


def _editable(plan: DeliveryPlan) -> DeliveryPlan:
    locked = _lock(plan)
    if locked.status != P.READY:
        if locked.status == P.DISPATCHED:
            raise PlanDispatched()
        raise RuleViolation(_("Wait until the plan is ready."), code="plan_not_ready")
    return locked


def delivery_plan_move_stop(*, actor: User | None, plan: DeliveryPlan, shipment_id: int, route_id: int) -> DeliveryPlan:
    """Move a stop to another route, where it lengthens that route least and every window is met; both routes
    are then locked as the desk made them. Refused when the route cannot take it."""
    _require_planner(actor)
    with transaction.atomic():
        locked = _editable(plan)
        stop = PlanStop.objects.filter(plan=locked, shipment_id=shipment_id).select_related("route").first()
        target = PlanRoute.objects.filter(plan=locked, pk=route_id).select_related("vehicle").first()
        if stop is None or target is None:
            raise RuleViolation(_("No such stop or route in this plan."), code="not_in_plan")
        if stop.route_id == target.pk:
            return locked
        source = stop.route
        source_ids = list(source.stops.exclude(pk=stop.pk).values_list("shipment_id", flat=True))
        target_ids = list(target.stops.values_list("shipment_id", flat=True))
        shipments = {s.pk: s for s in Shipment.objects.filter(pk__in=[*source_ids, *target_ids, shipment_id])}
        order = [*source_ids, *target_ids, shipment_id]
        problem = _problem(locked.warehouse, [shipments[pk] for pk in order], [source.vehicle, target.vehicle])
        positions = {pk: index for index, pk in enumerate(order)}
        vehicles = dict(zip((source.vehicle_id, target.vehicle_id), problem.vehicles, strict=True))
        new_target = routing.best_insertion(
            problem, vehicles[target.vehicle_id], [positions[pk] for pk in target_ids], positions[shipment_id]
        )
        if new_target is None:
            raise RouteInfeasible(field="route")
        new_source = routing.evaluate(problem, vehicles[source.vehicle_id], [positions[pk] for pk in source_ids])
        source_vehicle, target_vehicle = source.vehicle, target.vehicle
        PlanRoute.objects.filter(pk__in=[source.pk, target.pk]).delete()
        if new_source is not None and new_source.stops:
            _write_route(locked, source_vehicle, new_source, locked=True)
        _write_route(locked, target_vehicle, new_target, locked=True)
        _totals(locked)
        locked.save()
        events.record(
            actor=actor,
            verb=verbs.PLAN_CHANGED.code,
            target=locked,
            data={"shipment": shipment_id, "vehicle": target_vehicle.plate},
            dealer_id=None,
        )
    return locked


def delivery_plan_lock_route(*, actor: User | None, plan: DeliveryPlan, route_id: int, locked: bool) -> DeliveryPlan:
    """Keep a route as it is (or let it go) when the rest of the plan is optimised again."""
    _require_planner(actor)
    with transaction.atomic():
        current = _editable(plan)
        if not PlanRoute.objects.filter(plan=current, pk=route_id).update(locked=locked):
            raise RuleViolation(_("No such stop or route in this plan."), code="not_in_plan")
        events.record(
            actor=actor,
            verb=verbs.PLAN_CHANGED.code,
            target=current,
            data={"route": route_id, "locked": locked},
            dealer_id=None,
        )
    return current


def delivery_plan_dispatch(*, actor: User | None, plan: DeliveryPlan) -> DeliveryPlan:
    """Every shipment on the plan's routes goes in transit (stock out, invoice issued); the drivers take their
    route sheets. Twice at once dispatches once: the second waits for the plan's lock and finds it dispatched."""
    _require_planner(actor)
    with transaction.atomic():
        current = _lock(plan)
        plan_move(current, P.DISPATCHED)
        stops = list(current.stops.select_related("shipment__order").order_by("shipment__order_id", "shipment_id"))
        sent = 0
        for stop in stops:
            order = lock_order(stop.shipment.order)
            shipment = lock_shipment(stop.shipment)
            if shipment.status != Shipment.Status.PLANNED:
                continue  # cancelled or sent another way since the plan was made
            if shipment.replaces_id:
                # A replacement short of free stock stays planned; the rest of the day leaves.
                try:
                    with transaction.atomic():
                        _dispatch(actor, order, shipment)
                except orders.InsufficientStock:
                    continue
            else:
                _dispatch(actor, order, shipment)
            sent += 1
        current.dispatched_at = timezone.now()
        current.save()
        events.record(
            actor=actor,
            verb=verbs.PLAN_DISPATCHED.code,
            target=current,
            data={"shipments": sent, "skipped": len(stops) - sent},
            dealer_id=None,
        )
    return current
