"""The delivery planner's core: every route keeps to its vehicle's capacity and shift and to each
stop's window, no stop is served twice, a stop left out says why, and the same input gives the same
plan."""

import random
from decimal import Decimal

import pytest

from logistics import routing

HANGZHOU = routing.Place(30.2741, 120.1551)
SHANGHAI = routing.Place(31.2304, 121.4737)
HOUR = 3600


def vehicle(key, kg, m3, *, per_km="3.00", fixed="200", shift=(7, 19)):
    return routing.Vehicle(
        key=key,
        capacity_g=kg * 1000,
        capacity_cm3=m3 * 1_000_000,
        shift=(shift[0] * HOUR, shift[1] * HOUR),
        cost_per_km=routing.cost_units(Decimal(per_km)),
        fixed_cost=routing.cost_units(Decimal(fixed)),
    )


def stop(key, place, kg=100, m3=1, window=(8, 18), service_min=15):
    return routing.Stop(
        key=key,
        place=place,
        weight_g=kg * 1000,
        volume_cm3=m3 * 1_000_000,
        window=(window[0] * HOUR, window[1] * HOUR),
        service_s=service_min * 60,
    )


def day(count=24, seed=7):
    """Dealers within about 40 km of the 杭州 warehouse, mornings, afternoons or all day."""
    rng = random.Random(seed)
    windows = [(8, 12), (13, 18), (8, 18)]
    return [
        stop(
            n,
            routing.Place(HANGZHOU.latitude + rng.uniform(-0.3, 0.3), HANGZHOU.longitude + rng.uniform(-0.3, 0.3)),
            kg=rng.randint(50, 400),
            m3=rng.randint(1, 3),
            window=rng.choice(windows),
        )
        for n in range(count)
    ]


def problem(stops, fleet):
    return routing.road_problem(HANGZHOU, stops, fleet, road_factor=1.3, speed_kmh=40)


def test_every_route_keeps_capacity_windows_and_shift_and_serves_each_stop_once():
    fleet = [vehicle("浙A·11111", 1500, 8), vehicle("浙A·22222", 3000, 16, per_km="3.60", fixed="260")]
    p = problem(day(), fleet)
    plan = routing.solve_iterations(p, iterations=2000)

    assert routing.broken_rules(p, plan) == []
    planned = {s.key for route in plan.routes for s in route.stops}
    assert planned | set(plan.unplanned) == {s.key for s in p.stops}
    assert not planned & set(plan.unplanned)
    assert plan.routes and all(route.distance_m > 0 for route in plan.routes)


def test_the_same_input_gives_a_plan_of_the_same_cost():
    fleet = [vehicle("A", 2000, 10), vehicle("B", 2000, 10)]
    first = routing.solve_iterations(problem(day(seed=3), fleet), iterations=1500)
    again = routing.solve_iterations(problem(day(seed=3), fleet), iterations=1500)

    assert first.cost == again.cost
    assert [[s.key for s in r.stops] for r in first.routes] == [[s.key for s in r.stops] for r in again.routes]


def test_the_solver_plans_shorter_than_a_dispatcher_going_to_the_nearest_stop():
    fleet = [vehicle(f"V{n}", 3000, 20) for n in range(4)]
    p = problem(day(count=30, seed=11), fleet)
    solved, naive = routing.solve_iterations(p, iterations=3000), routing.naive(p)

    assert routing.broken_rules(p, naive) == []
    assert solved.unplanned == naive.unplanned == {}
    assert solved.distance_m < naive.distance_m * 0.9
    assert solved.cost < naive.cost


def test_stops_no_plan_can_serve_say_why():
    far_east = routing.Place(30.2741, 125.0)  # about 470 km away: 15 hours by road at 40 km/h
    stops = [
        stop("no-place", None),
        stop("too-heavy", HANGZHOU, kg=5000),
        stop("too-far", far_east),
        stop("closed-before-we-arrive", SHANGHAI, window=(7, 8)),
        stop("fine", routing.Place(30.30, 120.20)),
    ]
    plan = routing.solve_iterations(problem(stops, [vehicle("A", 2000, 10)]), iterations=500)

    assert plan.unplanned == {
        "no-place": routing.NO_COORDINATES,
        "too-heavy": routing.TOO_LARGE,
        "too-far": routing.WINDOW_UNREACHABLE,
        "closed-before-we-arrive": routing.WINDOW_UNREACHABLE,
    }
    assert [[s.key for s in route.stops] for route in plan.routes] == [["fine"]]
    assert set(routing.REASONS) >= set(plan.unplanned.values())


def test_when_the_fleet_is_full_the_rest_is_left_for_another_day():
    stops = [stop(n, routing.Place(30.28 + n / 1000, 120.16), kg=600) for n in range(5)]
    plan = routing.solve_iterations(problem(stops, [vehicle("A", 1500, 10)]), iterations=500)

    assert sum(len(route.stops) for route in plan.routes) == 2  # 2 × 600 kg fit in 1,500 kg, not 3
    assert list(plan.unplanned.values()) == [routing.NO_ROOM] * 3


def test_the_dispatchers_plan_sends_what_the_fleet_cannot_take_on_an_extra_trip_each():
    stops = [stop(n, routing.Place(30.28 + n / 1000, 120.16), kg=600) for n in range(5)]
    p = problem(stops, [vehicle("van", 1500, 10, per_km="2.00", fixed="100"), vehicle("truck", 2000, 20)])
    naive = routing.naive(p)

    # The 2 t truck, biggest first, takes 3 × 600 kg and the van 2; nothing is left. With the van alone, 2 go
    # on its trip and 3 on extra van trips of one stop each.
    assert naive.unplanned == {} and len(naive.routes) == 2
    alone = routing.naive(problem(stops, [vehicle("van", 1500, 10, per_km="2.00", fixed="100")]))
    assert alone.unplanned == {}
    assert sorted(len(route.stops) for route in alone.routes) == [1, 1, 1, 2]
    assert routing.broken_rules(p, naive) == []
    assert alone.cost == sum(route.cost for route in alone.routes) > 4 * routing.cost_units(Decimal(100))


def test_no_vehicles_leaves_everything_unplanned():
    plan = routing.solve_iterations(problem(day(count=3), []), iterations=10)
    assert plan.routes == [] and set(plan.unplanned.values()) == {routing.NO_ROOM}


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [(HANGZHOU, SHANGHAI, 165), (HANGZHOU, HANGZHOU, 0)],
)
def test_great_circle_distance(a, b, km):
    assert routing.haversine_m(a, b) / 1000 == pytest.approx(km, abs=2)


def test_a_route_costs_its_distance_at_the_vehicle_rate_plus_the_trip():
    p = problem([stop("one", routing.Place(30.30, 120.20))], [vehicle("A", 1000, 5, per_km="3.60", fixed="200")])
    route = routing.solve_iterations(p, iterations=50).routes[0]
    there_and_back = p.distance_m[0][1] + p.distance_m[1][0]
    assert route.distance_m == there_and_back
    expected = Decimal(there_and_back) / 1000 * Decimal("3.60") + 200
    assert routing.yuan(route.cost) == expected.quantize(Decimal("0.01"))
    assert routing.yuan(routing.cost_units(Decimal("260.50"))) == Decimal("260.50")
