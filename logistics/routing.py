"""Delivery route planning: a capacitated vehicle routing problem with time windows.

A day's deliveries from one warehouse are stops with a load (kg and m³), a receiving window and a
service time; the fleet is vehicles with two capacities, a shift, a cost per km and a fixed cost per
trip. ``solve`` hands the problem to PyVRP (iterated local search over a distance matrix) and reads
the routes back; ``naive`` plans the same stops the way a dispatcher without a solver would, trip by
trip to the nearest stop that still fits, so that a plan can show what the solver saved.

The module knows nothing of the database: the delivery plan service builds a ``Problem`` from
shipments and vehicles and stores what comes back. Units are integers, as the solver needs them:
metres, seconds from midnight, grams and cubic centimetres, and costs in thousandths of a yuan (厘).
"""

import itertools
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

EARTH_RADIUS_M = 6_371_000

# Why a stop is left out of a plan, as stored with the plan and shown to the order desk.
NO_COORDINATES = "no_coordinates"
TOO_LARGE = "too_large"
WINDOW_UNREACHABLE = "window_unreachable"
NO_ROOM = "no_room"
REASONS = {
    NO_COORDINATES: _("no coordinates"),
    TOO_LARGE: _("too heavy or bulky for every vehicle"),
    WINDOW_UNREACHABLE: _("its receiving window cannot be reached within a shift"),
    NO_ROOM: _("no room left on the fleet"),
}

# The solver counts load in tenths of a kilogram and in litres: the same decisions as grams and cubic
# centimetres, with numbers small enough for its penalties to stay in scale.
_G_PER_UNIT = 100
_CM3_PER_UNIT = 1000


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Stop:
    """One delivery: ``key`` is what the caller knows it by (a shipment's id)."""

    key: Hashable
    place: Place | None
    weight_g: int
    volume_cm3: int
    window: tuple[int, int]  # seconds from midnight: the earliest and latest start of unloading
    service_s: int


@dataclass(frozen=True)
class Vehicle:
    key: Hashable
    capacity_g: int
    capacity_cm3: int
    shift: tuple[int, int]  # seconds from midnight: leaves the depot no earlier, is back no later
    cost_per_km: int  # thousandths of a yuan (see ``cost_units()``)
    fixed_cost: int  # thousandths of a yuan, per trip


@dataclass(frozen=True)
class Problem:
    """The depot is location 0 of the matrices, stop i is location i + 1. The solver counts distance in
    units of ``solver_unit_m`` metres: a road estimate is no finer than 100 m, and costs and penalties
    stay in one scale (a published instance with its own units passes 1)."""

    stops: Sequence[Stop]
    vehicles: Sequence[Vehicle]
    distance_m: Sequence[Sequence[int]]
    duration_s: Sequence[Sequence[int]]
    solver_unit_m: int = 100


@dataclass
class PlannedStop:
    key: Hashable
    arrival_s: int  # when unloading starts (after any wait for the window to open)


@dataclass
class Route:
    vehicle: Hashable
    stops: list[PlannedStop]
    start_s: int
    end_s: int
    distance_m: int
    load_g: int
    load_cm3: int
    cost: int


@dataclass
class Plan:
    routes: list[Route]
    unplanned: dict[Hashable, str] = field(default_factory=dict)  # key → one of REASONS

    @property
    def distance_m(self) -> int:
        return sum(route.distance_m for route in self.routes)

    @property
    def cost(self) -> int:
        return sum(route.cost for route in self.routes)


def haversine_m(a: Place, b: Place) -> float:
    """Great-circle distance in metres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat, dlon = lat2 - lat1, math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def road_problem(
    depot: Place,
    stops: Sequence[Stop],
    vehicles: Sequence[Vehicle],
    *,
    road_factor: float,
    speed_kmh: float,
) -> Problem:
    """Distances by road estimated as the great-circle distance times ``road_factor``, driven at
    ``speed_kmh``. Stops without coordinates get no edges; ``solve`` leaves them out."""
    places = [depot, *(stop.place for stop in stops)]
    metres_per_second = speed_kmh * 1000 / 3600
    distance = [[0] * len(places) for _ in places]
    duration = [[0] * len(places) for _ in places]
    for i, a in enumerate(places):
        for j in range(i + 1, len(places)):
            b = places[j]
            if a is None or b is None:
                continue
            metres = round(haversine_m(a, b) * road_factor)
            seconds = round(metres / metres_per_second)
            distance[i][j] = distance[j][i] = metres
            duration[i][j] = duration[j][i] = seconds
    return Problem(stops=stops, vehicles=vehicles, distance_m=distance, duration_s=duration)


def _left_out_beforehand(problem: Problem) -> dict[Hashable, str]:
    """Stops no plan can serve, whatever the other stops: no coordinates, too big for every vehicle,
    or out of reach within the window on a trip of their own."""
    reasons = {}
    for index, stop in enumerate(problem.stops, start=1):
        if stop.place is None:
            reasons[stop.key] = NO_COORDINATES
            continue
        if not problem.vehicles:
            reasons[stop.key] = NO_ROOM
            continue
        fitting = [v for v in problem.vehicles if stop.weight_g <= v.capacity_g and stop.volume_cm3 <= v.capacity_cm3]
        if not fitting:
            reasons[stop.key] = TOO_LARGE
            continue
        there, back = problem.duration_s[0][index], problem.duration_s[index][0]
        if not any(
            max(v.shift[0] + there, stop.window[0]) <= stop.window[1]
            and max(v.shift[0] + there, stop.window[0]) + stop.service_s + back <= v.shift[1]
            for v in fitting
        ):
            reasons[stop.key] = WINDOW_UNREACHABLE
    return reasons


def solve(problem: Problem, *, seconds: float, seed: int = 1) -> Plan:
    """The solver's best plan found within ``seconds``; the same problem and seed give the same plan
    when the solver is stopped by its iteration count rather than the clock (see ``iterations``)."""
    return _solve(problem, seed=seed, seconds=seconds, iterations=None)


def solve_iterations(problem: Problem, *, iterations: int, seed: int = 1) -> Plan:
    """The solver's best plan after a fixed number of iterations: the same on every machine."""
    return _solve(problem, seed=seed, seconds=None, iterations=iterations)


def _solve(problem: Problem, *, seed: int, seconds: float | None, iterations: int | None) -> Plan:
    from pyvrp import Model
    from pyvrp.stop import MaxIterations, MaxRuntime

    unplanned = _left_out_beforehand(problem)
    kept = [(index, stop) for index, stop in enumerate(problem.stops, start=1) if stop.key not in unplanned]
    if not kept or not problem.vehicles:
        unplanned.update({stop.key: NO_ROOM for _index, stop in kept})
        return Plan(routes=[], unplanned=unplanned)

    # Leaving a stop out costs ten times the dearest trip that serves it alone, so the solver leaves a
    # stop out only when no route has room or time for it.
    unit = problem.solver_unit_m
    dearest_trip = max(v.fixed_cost for v in problem.vehicles)
    dearest_unit = max(_unit_cost(v, unit) for v in problem.vehicles)
    model = Model()
    opens = min(v.shift[0] for v in problem.vehicles)
    closes = max(v.shift[1] for v in problem.vehicles)
    depot = model.add_depot(model.add_location(x=0, y=0), tw_early=opens, tw_late=closes)
    # Vehicles alike in all the solver sees are one vehicle type with as many available: the solver searches
    # far better over a few types than over one type per vehicle. Each route of a type gets one of them.
    types: dict[tuple, list[Vehicle]] = {}
    for vehicle in problem.vehicles:
        capacity = (vehicle.capacity_g // _G_PER_UNIT, vehicle.capacity_cm3 // _CM3_PER_UNIT)
        alike = (capacity, vehicle.fixed_cost, vehicle.shift, _unit_cost(vehicle, unit))
        types.setdefault(alike, []).append(vehicle)
    for (capacity, fixed_cost, shift, unit_cost), vehicles in types.items():
        model.add_vehicle_type(
            num_available=len(vehicles),
            capacity=list(capacity),
            start_depot=depot,
            end_depot=depot,
            fixed_cost=fixed_cost,
            tw_early=shift[0],
            tw_late=shift[1],
            unit_distance_cost=unit_cost,
        )
    locations = [model.locations[0]]
    for index, stop in kept:
        location = model.add_location(x=0, y=0)
        locations.append(location)
        round_trip = (problem.distance_m[0][index] + problem.distance_m[index][0]) // unit
        model.add_client(
            location,
            delivery=[-(-stop.weight_g // _G_PER_UNIT), -(-stop.volume_cm3 // _CM3_PER_UNIT)],
            service_duration=stop.service_s,
            tw_early=stop.window[0],
            tw_late=stop.window[1],
            required=False,
            prize=10 * (dearest_trip + dearest_unit * round_trip),
        )
    matrix_index = [0, *(index for index, _stop in kept)]
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            if i != j:
                a, b = matrix_index[i], matrix_index[j]
                distance = round(problem.distance_m[a][b] / unit)
                model.add_edge(frm, to, distance=distance, duration=problem.duration_s[a][b])

    stop_criterion = MaxIterations(iterations) if iterations is not None else MaxRuntime(seconds)
    result = model.solve(stop=stop_criterion, seed=seed, display=False, collect_stats=False)
    solution = result.best
    if not solution.is_feasible():
        # Only an infeasible start survives when nothing fits together; say so for every stop.
        unplanned.update({stop.key: NO_ROOM for _index, stop in kept})
        return Plan(routes=[], unplanned=unplanned)

    routes = []
    visited = set()
    stop_by_key = {stop.key: stop for _index, stop in kept}
    free = [list(vehicles) for vehicles in types.values()]
    for route in solution.routes():
        vehicle = free[route.vehicle_type()].pop(0)
        planned, path = [], [0]
        for activity in route.schedule():
            if activity.is_client():
                index, stop = kept[activity.idx]  # clients are numbered from 0 in the order they were added
                planned.append(PlannedStop(key=stop.key, arrival_s=activity.start_time))
                path.append(index)
                visited.add(stop.key)
        path.append(0)
        distance = sum(problem.distance_m[a][b] for a, b in itertools.pairwise(path))
        routes.append(
            Route(
                vehicle=vehicle.key,
                stops=planned,
                start_s=route.start_time(),
                end_s=route.end_time(),
                distance_m=distance,
                load_g=sum(stop_by_key[p.key].weight_g for p in planned),
                load_cm3=sum(stop_by_key[p.key].volume_cm3 for p in planned),
                cost=_route_cost(vehicle, distance),
            )
        )
    unplanned.update({stop.key: NO_ROOM for _index, stop in kept if stop.key not in visited})
    routes.sort(key=lambda route: [v.key for v in problem.vehicles].index(route.vehicle))
    return Plan(routes=routes, unplanned=unplanned)


def naive(problem: Problem) -> Plan:
    """The plan of a dispatcher without a solver: each vehicle in turn, biggest first, drives from
    the depot to the nearest stop it can still carry and reach in time (waiting for a window to open),
    until none is left that it can serve and still be back within its shift. Stops left over go out one
    by one on extra trips."""
    unplanned = _left_out_beforehand(problem)
    waiting = {index for index, stop in enumerate(problem.stops, start=1) if stop.key not in unplanned}
    routes = []
    fleet = sorted(problem.vehicles, key=lambda v: (-v.capacity_g, -v.capacity_cm3))
    for vehicle in fleet:
        if not waiting:
            break
        here, clock = 0, vehicle.shift[0]
        weight = volume = distance = 0
        planned = []
        while True:
            best = None
            for index in waiting:
                stop = problem.stops[index - 1]
                if weight + stop.weight_g > vehicle.capacity_g or volume + stop.volume_cm3 > vehicle.capacity_cm3:
                    continue
                start = max(clock + problem.duration_s[here][index], stop.window[0])
                if start > stop.window[1] or start + stop.service_s + problem.duration_s[index][0] > vehicle.shift[1]:
                    continue
                if best is None or problem.distance_m[here][index] < problem.distance_m[here][best[0]]:
                    best = (index, start)
            if best is None:
                break
            index, start = best
            stop = problem.stops[index - 1]
            waiting.discard(index)
            planned.append(PlannedStop(key=stop.key, arrival_s=start))
            distance += problem.distance_m[here][index]
            weight, volume = weight + stop.weight_g, volume + stop.volume_cm3
            here, clock = index, start + stop.service_s
        if not planned:
            continue
        distance += problem.distance_m[here][0]
        routes.append(
            Route(
                vehicle=vehicle.key,
                stops=planned,
                start_s=vehicle.shift[0],
                end_s=clock + problem.duration_s[here][0],
                distance_m=distance,
                load_g=weight,
                load_cm3=volume,
                cost=_route_cost(vehicle, distance),
            )
        )
    # What the fleet's trips had no room or time left for goes out alone on an extra trip of the cheapest
    # vehicle that can take it, as a dispatcher without a solver hires one: the naive plan then serves the
    # same stops as the solver's, and the two compare on equal terms.
    for index in sorted(waiting):
        trips = (evaluate(problem, vehicle, [index - 1]) for vehicle in problem.vehicles)
        trip = min((route for route in trips if route is not None), key=lambda route: route.cost, default=None)
        if trip is None:
            unplanned[problem.stops[index - 1].key] = NO_ROOM
        else:
            routes.append(trip)
    return Plan(routes=routes, unplanned=unplanned)


def broken_rules(problem: Problem, plan: Plan) -> list[tuple[str, Hashable]]:
    """What a plan breaks, as (rule, vehicle or stop key): a load over either capacity, a route outside its
    vehicle's shift, a stop outside its window or reached faster than the road allows, a stop served twice."""
    stops = {stop.key: (index, stop) for index, stop in enumerate(problem.stops, start=1)}
    fleet = {vehicle.key: vehicle for vehicle in problem.vehicles}
    found, seen = [], []
    for route in plan.routes:
        vehicle = fleet[route.vehicle]
        if sum(stops[p.key][1].weight_g for p in route.stops) > vehicle.capacity_g:
            found.append(("overweight", route.vehicle))
        if sum(stops[p.key][1].volume_cm3 for p in route.stops) > vehicle.capacity_cm3:
            found.append(("overfull", route.vehicle))
        if route.start_s < vehicle.shift[0] or route.end_s > vehicle.shift[1]:
            found.append(("shift", route.vehicle))
        clock, here = route.start_s, 0
        for planned in route.stops:
            index, stop = stops[planned.key]
            if not stop.window[0] <= planned.arrival_s <= stop.window[1]:
                found.append(("window", planned.key))
            if planned.arrival_s < clock + problem.duration_s[here][index]:
                found.append(("faster than the road", planned.key))
            clock, here = planned.arrival_s + stop.service_s, index
            seen.append(planned.key)
    found.extend(("twice", key) for key in {key for key in seen if seen.count(key) > 1})
    return found


def evaluate(problem: Problem, vehicle: Vehicle, order: Sequence[int]) -> Route | None:
    """The route of ``vehicle`` through the stops at ``order`` (their positions in ``problem.stops``), in that
    order: leaving as late as its shift lets it without waiting at the first stop, unloading at each when it
    arrives or when the window opens. None when the stops do not fit, a window is missed or the vehicle is
    not back within its shift."""
    stops = [problem.stops[position] for position in order]
    if any(stop.place is None for stop in stops):
        return None
    if sum(s.weight_g for s in stops) > vehicle.capacity_g or sum(s.volume_cm3 for s in stops) > vehicle.capacity_cm3:
        return None
    path = [0, *(position + 1 for position in order), 0]
    if len(path) == 2:
        return Route(
            vehicle=vehicle.key,
            stops=[],
            start_s=vehicle.shift[0],
            end_s=vehicle.shift[0],
            distance_m=0,
            load_g=0,
            load_cm3=0,
            cost=0,
        )
    start = max(vehicle.shift[0], stops[0].window[0] - problem.duration_s[0][path[1]])
    clock, planned = start, []
    for (here, there), stop in zip(itertools.pairwise(path[:-1]), stops, strict=True):
        arrival = max(clock + problem.duration_s[here][there], stop.window[0])
        if arrival > stop.window[1]:
            return None
        planned.append(PlannedStop(key=stop.key, arrival_s=arrival))
        clock = arrival + stop.service_s
    end = clock + problem.duration_s[path[-2]][0]
    if end > vehicle.shift[1]:
        return None
    distance = sum(problem.distance_m[a][b] for a, b in itertools.pairwise(path))
    return Route(
        vehicle=vehicle.key,
        stops=planned,
        start_s=start,
        end_s=end,
        distance_m=distance,
        load_g=sum(s.weight_g for s in stops),
        load_cm3=sum(s.volume_cm3 for s in stops),
        cost=_route_cost(vehicle, distance),
    )


def best_insertion(problem: Problem, vehicle: Vehicle, order: Sequence[int], position: int) -> Route | None:
    """The route of ``vehicle`` with the stop at ``position`` added where it lengthens the route least and
    every window is still met; None when it fits nowhere."""
    candidates = (evaluate(problem, vehicle, [*order[:i], position, *order[i:]]) for i in range(len(order) + 1))
    return min((route for route in candidates if route is not None), key=lambda r: r.distance_m, default=None)


def _unit_cost(vehicle: Vehicle, unit_m: int) -> int:
    """The vehicle's cost per solver distance unit, in the solver's cost unit."""
    return max(1, round(vehicle.cost_per_km * unit_m / 1000))


def _route_cost(vehicle: Vehicle, distance_m: int) -> int:
    return round(distance_m * vehicle.cost_per_km / 1000) + vehicle.fixed_cost


def cost_units(yuan: Decimal) -> int:
    """An amount in yuan as the module's cost unit, thousandths of a yuan."""
    return round(yuan * 1000)


def yuan(units: int) -> Decimal:
    return (Decimal(units) / 1000).quantize(Decimal("0.01"))
