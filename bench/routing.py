"""Delivery route planning benchmark: the solver core of ``logistics.routing`` on generated days of
deliveries around the demo warehouses and on Solomon's published instance RC208.

    python -m bench.routing                 # every instance, with the ten-times-longer comparison
    python -m bench.routing --only 200      # instances whose name contains "200"
    python -m bench.routing --no-long       # skip the ten-times-longer runs
    python -m bench.routing --all-long      # also those over five minutes (500 stops, RC208)

For each generated instance it reports the solve time, the distance against the naive plan
(nearest stop first, vehicle by vehicle) and against the same solver given ten times longer; for
RC208, the gap to the best known total distance. Exits 1 when a target is missed.
"""

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from logistics import routing  # noqa: E402

HERE = Path(__file__).resolve().parent
RC208 = HERE / "data" / "solomon" / "RC208.txt"
RC208_BEST = 776.1
SEED = 20261203

# The demo warehouses' cities (the routes stay within about 80 km of the depot).
DEPOTS = {
    "hangzhou": routing.Place(30.2741, 120.1551),
    "shanghai": routing.Place(31.2304, 121.4737),
    "guangzhou": routing.Place(23.1291, 113.2644),
}
# (name, kg, m³, yuan per km, fixed yuan per trip): a van, a 4.2 m truck, a 7.6 m truck.
FLEET_TYPES = [
    ("van", 1_500, 8, "2.8", "150"),
    ("truck-4.2m", 3_000, 16, "3.6", "260"),
    ("truck-7.6m", 8_000, 40, "5.2", "420"),
]
WINDOWS = [(9, 12), (13, 17), (8, 18), (10, 16), (8, 12), (14, 18)]


@dataclass
class Instance:
    name: str
    problem: routing.Problem
    seconds: float
    target_seconds: float | None = None
    scale: int = 1  # distance units per reported unit (metres per km, or RC208's ×100)


def generated(name: str, depot: routing.Place, stops: int, vehicles: int, seconds: float, rng) -> Instance:
    """A day of deliveries: dealers in clusters around the depot, loads of a pallet or a few, windows of
    a morning, an afternoon or the day, and a mixed fleet on a 07:00–19:00 shift."""
    centres = [(rng.gauss(0, 0.35), rng.gauss(0, 0.35)) for _ in range(max(3, stops // 25))]
    places = []
    for _ in range(stops):
        dy, dx = rng.choice(centres)
        latitude, longitude = depot.latitude + dy + rng.gauss(0, 0.06), depot.longitude + dx + rng.gauss(0, 0.06)
        places.append(routing.Place(latitude, longitude))
    stop_list = []
    for index, place in enumerate(places):
        opens, closes = rng.choice(WINDOWS)
        stop_list.append(
            routing.Stop(
                key=index,
                place=place,
                weight_g=rng.randint(20, 400) * 1000,
                volume_cm3=rng.randint(1, 20) * 100_000,
                window=(opens * 3600, closes * 3600),
                service_s=rng.choice([600, 900, 1200]),
            )
        )
    fleet = []
    for index in range(vehicles):
        kind, kg, m3, per_km, fixed = FLEET_TYPES[index % len(FLEET_TYPES)]
        fleet.append(
            routing.Vehicle(
                key=f"{kind}-{index + 1}",
                capacity_g=kg * 1000,
                capacity_cm3=m3 * 1_000_000,
                shift=(7 * 3600, 19 * 3600),
                cost_per_km=routing.cost_units(Decimal(per_km)),
                fixed_cost=routing.cost_units(Decimal(fixed)),
            )
        )
    problem = routing.road_problem(
        depot,
        stop_list,
        fleet,
        road_factor=settings.DMS_ROUTING_ROAD_FACTOR,
        speed_kmh=settings.DMS_ROUTING_SPEED_KMH,
    )
    return Instance(name=name, problem=problem, seconds=seconds, target_seconds=seconds, scale=1000)


def solomon(path: Path) -> Instance:
    """RC208 as the literature solves it: Euclidean distances, travel time equal to distance, 25
    vehicles of capacity 1,000 within the depot's window. Distances are kept to 1/100."""
    rows = [line.split() for line in path.read_text().splitlines()]
    rows = [row for row in rows if len(row) == 7 and row[0].isdigit()]
    scale = 100
    points = [(float(row[1]), float(row[2])) for row in rows]
    matrix = [[round(math.dist(a, b) * scale) for b in points] for a in points]
    horizon = int(rows[0][5]) * scale
    stops = [
        routing.Stop(
            key=int(row[0]),
            place=routing.Place(0, 0),
            weight_g=int(row[3]) * 1000,  # the demand as kilograms
            volume_cm3=0,
            window=(int(row[4]) * scale, int(row[5]) * scale),
            service_s=int(row[6]) * scale,
        )
        for row in rows[1:]
    ]
    fleet = [
        routing.Vehicle(
            key=n, capacity_g=1_000_000, capacity_cm3=1000, shift=(0, horizon), cost_per_km=1000, fixed_cost=0
        )
        for n in range(25)
    ]
    problem = routing.Problem(stops=stops, vehicles=fleet, distance_m=matrix, duration_s=matrix, solver_unit_m=1)
    return Instance(name="RC208 (Solomon)", problem=problem, seconds=60, scale=scale)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the instances whose name contains this")
    parser.add_argument("--no-long", action="store_true", help="skip the ten-times-longer comparison runs")
    parser.add_argument(
        "--all-long", action="store_true", help="also the ten-times-longer runs over 5 minutes (500 stops, RC208)"
    )
    parser.add_argument("--output", type=Path, default=HERE / "results" / "routing.json")
    args = parser.parse_args(argv)

    rng = random.Random(SEED)
    instances = [
        generated("hangzhou-50", DEPOTS["hangzhou"], 50, 6, 10, rng),
        generated("shanghai-200", DEPOTS["shanghai"], 200, 15, 30, rng),
        generated("guangzhou-500", DEPOTS["guangzhou"], 500, 36, 120, rng),
        solomon(RC208),
    ]
    instances = [instance for instance in instances if args.only in instance.name]
    print(f"PyVRP core of logistics.routing, {os.cpu_count()} CPUs, seed {SEED}")
    header = (
        f"{'instance':<16} {'stops':>5} {'veh':>4} {'limit s':>7} {'solve s':>7} {'km':>9} {'routes':>6} "
        f"{'unplanned':>9} {'cost ¥':>9} {'naive km':>9} {'saving':>7} {'10x cost ¥':>10} {'gap 10x':>7}"
    )
    print(header)
    print("-" * len(header))
    results, missed = [], []
    for instance in instances:
        problem = instance.problem
        started = time.perf_counter()
        plan = routing.solve(problem, seconds=instance.seconds)
        solve_s = time.perf_counter() - started
        naive = routing.naive(problem)
        run_long = not args.no_long and (instance.seconds * 10 <= 300 or args.all_long)
        long_plan = routing.solve(problem, seconds=instance.seconds * 10) if run_long else None
        distance = plan.distance_m / instance.scale
        naive_distance = naive.distance_m / instance.scale
        saving = 1 - distance / naive_distance if naive_distance else 0
        # The solver minimises cost (distance at each vehicle's rate plus a fixed cost per trip), so the
        # ten-times-longer run is compared on cost; RC208 has distance as its cost.
        gap_long = plan.cost / long_plan.cost - 1 if long_plan and long_plan.cost else None
        broken = [f"{rule} {key}" for rule, key in routing.broken_rules(problem, plan)]
        row = {
            "instance": instance.name,
            "stops": len(problem.stops),
            "vehicles": len(problem.vehicles),
            "limit_s": instance.seconds,
            "solve_s": round(solve_s, 1),
            "distance": round(distance, 2),
            "routes": len(plan.routes),
            "unplanned": len(plan.unplanned),
            "naive_distance": round(naive_distance, 2),
            "naive_unplanned": len(naive.unplanned),
            "saving": round(saving, 4),
            "cost_yuan": str(routing.yuan(plan.cost)),
            "cost_10x_yuan": str(routing.yuan(long_plan.cost)) if long_plan else None,
            "gap_10x": round(gap_long, 4) if gap_long is not None else None,
            "broken": broken,
        }
        results.append(row)
        print(
            f"{instance.name:<16} {row['stops']:>5} {row['vehicles']:>4} {instance.seconds:>7.0f} {solve_s:>7.1f} "
            f"{distance:>9.1f} {len(plan.routes):>6} {len(plan.unplanned):>9} {row['cost_yuan']:>9} "
            f"{naive_distance:>9.1f} {saving:>7.1%} {row['cost_10x_yuan'] or '–':>10} "
            f"{'–' if gap_long is None else format(gap_long, '.2%'):>7}"
        )
        if broken:
            missed.append(f"{instance.name}: {', '.join(broken[:3])}")
        if instance.name.startswith("RC208"):
            gap = distance / RC208_BEST - 1
            row["gap_best_known"] = round(gap, 4)
            print(f"{'':<16} best known {RC208_BEST}, gap {gap:.2%} (target within 1% in 60 s)")
            if gap > 0.01:
                missed.append(f"RC208 gap {gap:.2%} > 1%")
            continue
        if solve_s > instance.target_seconds * 1.1:
            missed.append(f"{instance.name}: solved in {solve_s:.0f} s, limit {instance.target_seconds:.0f} s")
        if len(problem.stops) == 200:
            if saving < 0.25:
                missed.append(f"{instance.name}: {saving:.1%} shorter than naive, target 25%")
            if gap_long is not None and gap_long > 0.02:
                missed.append(f"{instance.name}: {gap_long:.2%} above the ten-times-longer run, target 2%")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.output}")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
