"""``python -m bench.leads``: assigning new leads to dealers, the way the worker does it, against the floor of
writing the same assignments with no routing, measured the same way in the same run.

The data: 1,000 active dealers in five provinces (serving a district, a city or a whole province), each
authorised for two or three of four product lines, and 10,000 new leads from the cities and districts of
those provinces, half of them with coordinates. Assignment rules: a weighted rule per province, a
round-robin rule for one product line, and the default for the rest. Dealers and authorisations are made
through the services; the leads are written with ``bulk_create`` because intake is not what is measured.

Three measurements, each from the same 10,000 new leads:
- in-process: ``leads_assign`` batch after batch, as the task runs it, with the queries of each batch counted;
- the floor (baseline): the same batches claimed the same way, each lead given to a dealer picked by arithmetic,
  one ``bulk_create`` and one ``UPDATE`` per batch — no routing, no decision stored, no events;
- in the worker: real Celery workers (``--pool solo``) on Redis, one and then two at once, each running
  ``leads_assign_task``; timed from the enqueue until no new lead is left.

After each measurement every lead must be assigned or in the unassigned queue, with exactly one open
assignment per assigned lead.

The floor and the in-process run also report their CPU time, this process's and its PostgreSQL server
process's (when the server runs on this machine): on a busy machine wall time also counts the waits for a core,
CPU time is the work itself.

Settings are production's (DEBUG off, Redis cache) unless ``--debug``. The data is built once per benchmark
database and reused while it is intact (``--rebuild`` builds it again). The run fails (exit code 1) when one
worker assigns fewer than ``--target`` leads a second (1,000 by default).
"""

import argparse
import json
import logging
import os
import platform
import random
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.__main__ import (
    DEFAULT_DATABASE_URL,
    RESULTS_DIR,
    BenchmarkFailure,
    bench_database_url,
    configure_environment,
    configure_production,
    ensure_database,
)

SEED = 20261127
DEALERS = 1_000
LEADS = 10_000
BATCH_SIZE = 500
PROVINCES = ("330000", "320000", "440000", "510000", "370000")
LINES = ("bench-kitchen", "bench-air", "bench-laundry", "bench-fridge")
RULES = len(PROVINCES) + 1
TARGET = 1_000
ADMIN_USERNAME = "bench-leads-admin"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measurement:
    name: str
    leads: int
    seconds: float
    leads_per_s: float
    ratio: float
    assigned: int
    unassigned: int
    queries_per_batch: float | None = None
    cpu_seconds: float | None = None


def wipe() -> None:
    """Empty everything this benchmark and ``python -m bench`` write; the same primary keys on every run."""
    from django.db import connection

    from bench import data
    from leads import models as leads
    from orders import models as orders

    data.ensure_bench_database()
    data.wipe()  # users, dealers and events; cascades to assignments, follow-ups and registrations
    tables = [leads.Lead, leads.LeadTouch, leads.AssignmentRule, leads.LeadSource, orders.ProductLine]
    names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def generate() -> dict:
    """Dealers, authorisations and rules through the services; the new leads in bulk."""
    from decimal import Decimal

    from django.db import transaction

    from dealers.models import Dealer, Region
    from dealers.regions import load_regions
    from dealers.services import dealer_create
    from dealers.validators import uscc_check_char
    from dms import events
    from dms.accounts import verbs as account_verbs
    from dms.accounts.models import Role, User
    from leads.models import AssignmentRule, Lead
    from orders import services as catalogue
    from orders.models import ProductLine

    rng = random.Random(SEED)
    with transaction.atomic():
        wipe()
        # Bootstrapped like bench/data.py's administrator: there is nobody to create the first one through a service.
        admin = User(username=ADMIN_USERNAME, role=Role.HQ_ADMIN, first_name="Bench", last_name="Leads")
        admin.set_unusable_password()
        admin.save()
        events.record(actor=None, verb=account_verbs.USER_CREATED.code, target=admin, data={"role": admin.role})
        if not Region.objects.exists():  # python -m bench truncates tables; the region tree may have gone with them
            load_regions(Region)
        lines = [
            catalogue.catalogue_save(
                actor=admin, model=ProductLine, fields={"code": code, "name": f"压测{n}", "name_en": code}
            )
            for n, code in enumerate(LINES)
        ]
        provinces = {code: Region.objects.get(code=code) for code in PROVINCES}
        cities, districts = {}, {}
        for code, province in provinces.items():
            cities[code] = list(Region.objects.filter(parent=province).order_by("code"))
            # The region tree holds districts for a few cities only: leads and dealers use cities where there are none.
            districts[code] = list(Region.objects.filter(parent__parent=province).order_by("code")) or cities[code]
        centre = {code: (28 + n * 2.5, 104 + n * 3.5) for n, code in enumerate(PROVINCES)}
        for n in range(DEALERS):
            province = PROVINCES[n % len(PROVINCES)]
            roll = rng.random()
            served = (
                rng.choice(districts[province])
                if roll < 0.6
                else rng.choice(cities[province])
                if roll < 0.9
                else provinces[province]
            )
            first17 = f"91{province[:4]}00{n:09d}"
            lat, lng = centre[province]
            dealer = dealer_create(
                actor=admin,
                name=f"压测经销商{n:04d}",
                legal_name=f"压测经销商{n:04d}有限公司",
                uscc=first17 + uscc_check_char(first17),
                region=served,
                served_regions=[served],
                tier=rng.choice("ABCD"),
                status=Dealer.Status.ACTIVE,
                latitude=Decimal(f"{lat + rng.uniform(-1, 1):.6f}"),
                longitude=Decimal(f"{lng + rng.uniform(-1, 1):.6f}"),
                lead_capacity=40,
            )
            for line in rng.sample(lines, rng.choice((2, 3))):
                catalogue.authorization_save(actor=admin, dealer=dealer, product_line=line)
        for province in provinces.values():
            AssignmentRule.objects.create(
                name=f"{province.name} weighted", region=province, accept_minutes=24 * 60, priority=50
            )
        AssignmentRule.objects.create(
            name="round robin", product_line=lines[0], strategy=AssignmentRule.Strategy.ROUND_ROBIN, priority=10
        )
        all_districts = [r for code in PROVINCES for r in {*cities[code], *districts[code]}]
        all_districts.sort(key=lambda r: r.code)
        leads = []
        for n in range(LEADS):
            region = rng.choice(all_districts)
            province = region.code[:2] + "0000"
            lat, lng = centre[province]
            located = rng.random() < 0.5
            leads.append(
                Lead(
                    contact_name=f"客户{n:05d}",
                    phone=f"139{n:08d}",
                    region=region,
                    product_line=rng.choice(lines),
                    source=rng.choice(Lead.Source.values),
                    latitude=Decimal(f"{lat + rng.uniform(-1, 1):.6f}") if located else None,
                    longitude=Decimal(f"{lng + rng.uniform(-1, 1):.6f}") if located else None,
                )
            )
        Lead.objects.bulk_create(leads, batch_size=2_000)
    return {"dealers": DEALERS, "leads": LEADS}


def intact() -> bool:
    """Whether the data of an earlier run is still here: the benchmark's administrator and as many dealers, rules
    and leads as ``generate()`` makes, in its product lines (``reset()`` puts the leads back to new)."""
    from dealers.models import Dealer
    from dms.accounts.models import User
    from leads.models import AssignmentRule, Lead
    from orders.models import ProductLine

    return (
        User.objects.filter(username=ADMIN_USERNAME).exists()
        and Dealer.objects.count() == DEALERS
        and set(ProductLine.objects.values_list("code", flat=True)) == set(LINES)
        and AssignmentRule.objects.count() == RULES
        and Lead.objects.count() == LEADS
    )


def reset() -> None:
    """Every lead new again, with no assignment and no lead event: the same starting point for each measurement."""
    from django.db import connection, transaction

    from dealers.models import Dealer
    from dms.events.models import Event
    from leads.models import Assignment, Lead
    from orders.models import DealerAuthorization

    with transaction.atomic():
        Event.objects.filter(verb__startswith="leads.").delete()
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(Assignment._meta.db_table)} RESTART IDENTITY")
        Lead.objects.update(status=Lead.Status.NEW, unassigned_reason="")
    # Statistics as autovacuum would have them on a database in use: the planner otherwise guesses the freshly
    # written dealers and authorisations to be a handful of rows.
    read = [Dealer, Dealer.served_regions.through, DealerAuthorization, DealerAuthorization.regions.through]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Lead._meta.db_table)}")
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(m._meta.db_table) for m in read)}")


def outcome() -> tuple[int, int]:
    """(assigned, unassigned), after checking that nothing is left new and nothing is double-assigned."""
    from django.db.models import Count

    from leads.models import Assignment, Lead

    statuses = dict(Lead.objects.values_list("status").annotate(n=Count("id")))
    if statuses.get(Lead.Status.NEW):
        raise BenchmarkFailure(f"{statuses[Lead.Status.NEW]} leads were left new")
    doubled = (
        Assignment.objects.filter(status__in=Assignment.OPEN)
        .values("lead_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    if doubled:
        raise BenchmarkFailure(f"{doubled} leads have more than one open assignment")
    assigned = statuses.get(Lead.Status.ASSIGNED, 0)
    if Assignment.objects.filter(status__in=Assignment.OPEN).count() != assigned:
        raise BenchmarkFailure("the open assignments do not match the assigned leads")
    return assigned, statuses.get(Lead.Status.UNASSIGNED, 0)


def floor_assign(batch_size: int, dealer_ids: list[int]) -> int:
    """The least any assignment must do per batch: claim the leads, write their assignments, mark them."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from leads.models import Assignment, Lead

    now = timezone.now()
    with transaction.atomic():
        leads = list(
            Lead.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Lead.Status.NEW)
            .order_by("created_at", "pk")
            .only("pk")[:batch_size]
        )
        if not leads:
            return 0
        Assignment.objects.bulk_create(
            Assignment(lead=lead, dealer_id=dealer_ids[lead.pk % len(dealer_ids)], deadline=now + timedelta(days=1))
            for lead in leads
        )
        Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(status=Lead.Status.ASSIGNED, updated_at=now)
    return len(leads)


def cpu_seconds() -> float | None:
    """CPU time of this process and of its database server process: on a busy machine, the work itself (wall
    time also counts the waits for a core). None when the server runs on another host."""
    from django.db import connection

    if connection.settings_dict["HOST"] not in ("", "localhost", "127.0.0.1", "::1"):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_since(start: float | None) -> float | None:
    end = cpu_seconds()
    return None if start is None or end is None else end - start


def measure_floor() -> Measurement:
    from dealers.models import Dealer

    reset()
    dealer_ids = list(Dealer.objects.order_by("pk").values_list("pk", flat=True))
    cpu = cpu_seconds()
    started = time.perf_counter()
    while floor_assign(BATCH_SIZE, dealer_ids):
        pass
    seconds = time.perf_counter() - started
    cpu = cpu_since(cpu)
    assigned, unassigned = outcome()
    return Measurement("floor (baseline)", LEADS, seconds, LEADS / seconds, 1.0, assigned, unassigned, cpu_seconds=cpu)


def measure_in_process(floor: Measurement) -> Measurement:
    from django.db import connection

    from leads.services import leads_assign

    reset()
    counts = []

    def count(execute, sql, params, many, context):
        counts[-1] += 1
        return execute(sql, params, many, context)

    cpu = cpu_seconds()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        while True:
            counts.append(0)
            if not any(leads_assign(batch_size=BATCH_SIZE).values()):
                counts.pop()  # the last sweep found nothing to do
                break
    seconds = time.perf_counter() - started
    cpu = cpu_since(cpu)
    assigned, unassigned = outcome()
    rate = LEADS / seconds
    return Measurement(
        "leads_assign, in process",
        LEADS,
        seconds,
        rate,
        rate / floor.leads_per_s,
        assigned,
        unassigned,
        queries_per_batch=round(sum(counts) / len(counts), 1),
        cpu_seconds=cpu,
    )


def measure_workers(workers: int, floor: Measurement, database_url: str) -> Measurement:
    """Start ``workers`` Celery workers on their own queue, give each one assignment task, wait for the end."""
    from dms.celery import app
    from leads.models import Lead
    from leads.tasks import leads_assign_task

    reset()
    queue = f"dms-bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    logs = [RESULTS_DIR / f"{queue}-{n}.log" for n in range(workers)]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    processes = []
    for n, log in enumerate(logs):
        with log.open("w") as out:
            command = [sys.executable, "-m", "celery", "-A", "dms", "worker", "-Q", queue, "--pool", "solo"]
            command += ["-n", f"bench{n}@%h", "-l", "INFO", "--without-gossip", "--without-mingle"]
            command += ["--without-heartbeat"]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))  # noqa: S603
    previous = app.conf.task_always_eager
    try:
        deadline = time.monotonic() + 60
        while not all("ready." in log.read_text() for log in logs):
            if time.monotonic() > deadline:
                raise BenchmarkFailure("the Celery workers did not start in 60 s")
            time.sleep(0.1)
        app.conf.task_always_eager = False
        started = time.perf_counter()
        for _n in range(workers):
            leads_assign_task.apply_async(queue=queue)
        deadline = time.monotonic() + 600
        while Lead.objects.filter(status=Lead.Status.NEW).exists():
            if time.monotonic() > deadline:
                raise BenchmarkFailure("the workers did not finish in 10 minutes")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        app.conf.task_always_eager = previous
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for log in logs:
            log.unlink(missing_ok=True)
    assigned, unassigned = outcome()
    rate = LEADS / seconds
    name = f"leads_assign_task, {workers} worker{'s' if workers > 1 else ''}"
    return Measurement(name, LEADS, seconds, rate, rate / floor.leads_per_s, assigned, unassigned)


def print_table(rows: list[Measurement]) -> None:
    print(
        f"{'measurement':<36} {'leads':>6} {'seconds':>8} {'leads/s':>9} {'vs floor':>9} {'assigned':>9} "
        f"{'unassigned':>10} {'queries/batch':>14} {'cpu s':>7} {'leads/cpu s':>12}"
    )
    for row in rows:
        queries = "" if row.queries_per_batch is None else f"{row.queries_per_batch:.1f}"
        cpu = "" if row.cpu_seconds is None else f"{row.cpu_seconds:.2f}"
        per_cpu = "" if not row.cpu_seconds else f"{row.leads / row.cpu_seconds:.0f}"
        print(
            f"{row.name:<36} {row.leads:>6} {row.seconds:>8.2f} {row.leads_per_s:>9.0f} {row.ratio:>8.2f}x "
            f"{row.assigned:>9} {row.unassigned:>10} {queries:>14} {cpu:>7} {per_cpu:>12}"
        )
    print("cpu s: this process and its database server process (python + postgres), measured in process only")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.leads", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="benchmark database name (must end in _bench; default <name>_bench)")
    parser.add_argument("--debug", action="store_true", help="DEBUG on (default: production settings)")
    parser.add_argument("--rebuild", action="store_true", help="build the data again even when it is intact")
    parser.add_argument("--no-worker", action="store_true", help="skip the measurements with Celery workers")
    parser.add_argument(
        "--target", type=float, default=TARGET, help=f"least leads/s of one worker (default {TARGET:,})"
    )
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "leads.json", help="where to write JSON")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    database_url, database_name = bench_database_url(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), args.database
    )
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL", "")
    if not args.no_worker and not broker.startswith("redis://"):
        raise BenchmarkFailure("the worker measurements need CELERY_BROKER_URL or REDIS_URL on Redis (or --no-worker)")
    created = ensure_database(database_url, database_name)
    configure_environment(database_url)
    if args.debug:
        os.environ["DJANGO_DEBUG"] = "1"
    else:
        configure_production()
    if broker:
        os.environ["CELERY_BROKER_URL"] = broker

    import django

    django.setup()
    for noisy in ("axes", "celery"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from django.conf import settings
    from django.core.management import call_command

    print(f"database {database_name} ({'created' if created else 'existing'}); migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    reused = not args.rebuild and intact()
    if not reused:
        generate()
    print(
        f"data: {DEALERS} dealers, {LEADS} new leads in {len(PROVINCES)} provinces, {len(LINES)} product lines "
        f"(seed {SEED}), {'reused' if reused else 'built'} in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, DEBUG={settings.DEBUG}, "
        f"{os.cpu_count()} CPUs, batches of {BATCH_SIZE}\n",
        flush=True,
    )
    floor = measure_floor()
    rows = [floor, measure_in_process(floor)]
    if not args.no_worker:
        rows += [measure_workers(n, floor, database_url) for n in (1, 2)]
    print_table(rows)
    worker = next((row for row in rows if row.name == "leads_assign_task, 1 worker"), None)
    passed = worker is None or worker.leads_per_s >= args.target
    if worker is None:
        print(f"\ntarget of {args.target:,.0f} leads/s for one worker not checked (--no-worker)")
    else:
        verdict = "met" if passed else "MISSED"
        print(f"\none worker: {worker.leads_per_s:,.0f} leads/s, target {args.target:,.0f}: {verdict}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
        "cpus": os.cpu_count(),
        "database": database_name,
        "seed": SEED,
        "dealers": DEALERS,
        "leads": LEADS,
        "batch_size": BATCH_SIZE,
        "baseline": "the floor: the same batches claimed and assigned by arithmetic, no routing and no events",
        "measurements": [asdict(row) for row in rows],
        "target_leads_per_s": args.target,
        "passed": passed if worker is not None else None,
    }
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}")
    return 0 if passed else 1


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except BenchmarkFailure as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
