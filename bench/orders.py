"""``python -m bench.orders``: order submission through the API (create + submit) by N dealers at once, against
the trivial-view baseline measured the same way in the same run, then a check that nothing was oversold.

Settings are production's (DEBUG off, Redis cache, persistent connections) and the requests go over HTTP to a
gunicorn started for the run, unless ``--debug`` (DEBUG on) or ``--in-process`` (Django's test client). The run
fails (exit code 1) when the round with 8 dealers misses a target (orders/s, ratio to ``/healthz``, p95), when an
order costs more queries than the target or more with 30 lines than with 3, or when stock is inconsistent.

It has its own database (``<name>_orders_bench``, created and migrated when missing) and recreates its rows from a
fixed seed on every run.
"""

import argparse
import gc
import json
import logging
import os
import platform
import random
import statistics
import sys
import threading
import time
from contextlib import nullcontext, suppress
from dataclasses import asdict, dataclass
from functools import partial
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
from bench.server import ServerFailure, gunicorn

SEED = 20261127
DEALER_COUNTS = (1, 4, 8, 16)
ORDERS = 240
PRODUCTS = 30
# Every order may take one unit of the hot product, of which each round starts with only this many free:
# it sells out part-way, so the run also measures refusals and proves they never oversell.
HOT_UNITS = 40
HOT_SHARE = 0.3
ADMIN_USERNAME = "bench-orders-admin"
BASELINE_REQUESTS = 600
# The targets (issue 12), judged on the round with TARGET_DEALERS dealers ordering at once.
TARGET_DEALERS = 8
TARGET_ORDERS_PER_S = 100
TARGET_RATIO = 0.05
TARGET_P95_MS = 300
TARGET_QUERIES = 15


@dataclass(frozen=True)
class Shop:
    dealers: list[tuple[int, str]]  # dealer id, API token of its dealer user
    products: list[int]
    hot: int


@dataclass(frozen=True)
class Round:
    dealers: int
    orders: int
    refused: int
    seconds: float
    orders_per_s: float
    baseline_per_s: float
    ratio: float
    p50_ms: float
    p95_ms: float


def wipe() -> None:
    """Empty everything this benchmark and ``python -m bench`` write; the same primary keys on every run."""
    from django.db import connection

    from bench import data
    from dms.models import DocumentCounter
    from orders import models

    data.ensure_bench_database()
    data.wipe()  # users, dealers, events, tokens: cascades to their orders, invoices, payments and credit
    tables = [models.StockMovement, models.StockLevel, models.Product, models.ProductLine, models.Warehouse]
    tables.append(DocumentCounter)
    names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def generate(dealer_count: int) -> Shop:
    """A product line with stock in one warehouse and ``dealer_count`` trading dealers, each authorised for it
    with ample credit and a dealer user holding an API token. Made through the services."""
    from decimal import Decimal

    from django.db import transaction

    from dealers.models import Region
    from dealers.regions import load_regions
    from dealers.services import dealer_create
    from dealers.validators import uscc_check_char
    from dms import events
    from dms.accounts import services as accounts
    from dms.accounts import verbs as account_verbs
    from dms.accounts.models import Role, User
    from dms.events.services import events_publish
    from orders import services
    from orders.models import Product, ProductLine, Warehouse

    with transaction.atomic():
        wipe()
        # Bootstrapped like bench/data.py's administrator: there is nobody to create the first one through a service.
        admin = User(username=ADMIN_USERNAME, role=Role.HQ_ADMIN, first_name="Bench", last_name="Orders")
        admin.set_unusable_password()
        admin.save()
        events.record(actor=None, verb=account_verbs.USER_CREATED.code, target=admin, data={"role": admin.role})
        if not Region.objects.exists():  # python -m bench truncates tables; the region tree may have gone with them
            load_regions(Region)
        hangzhou = Region.objects.get(code="330100")
        line = services.catalogue_save(
            actor=admin, model=ProductLine, fields={"code": "bench", "name": "压测产品线", "name_en": "Bench line"}
        )
        warehouse = services.catalogue_save(
            actor=admin, model=Warehouse, fields={"code": "BENCH", "name": "压测仓", "region": hangzhou}
        )
        rng = random.Random(SEED)
        products = [
            services.catalogue_save(
                actor=admin,
                model=Product,
                fields={
                    "sku": f"BENCH-{n:03d}",
                    "name": f"压测产品{n:03d}",
                    "product_line": line,
                    "base_price": Decimal(rng.randrange(99, 5000)),
                },
            )
            for n in range(PRODUCTS)
        ]
        hot = services.catalogue_save(
            actor=admin,
            model=Product,
            fields={"sku": "BENCH-HOT", "name": "爆款", "product_line": line, "base_price": 299},
        )
        counts = [(warehouse, product, 1_000_000) for product in products] + [(warehouse, hot, HOT_UNITS)]
        services.stock_set_counts(actor=admin, counts=counts, reason="bench")
        dealers = []
        for n in range(dealer_count):
            first17 = f"91330100{n:09d}"
            dealer = dealer_create(
                actor=admin,
                name=f"Bench dealer {n}",
                legal_name=f"Bench dealer {n} Ltd",
                uscc=first17 + uscc_check_char(first17),
                region=hangzhou,
                status="active",
            )
            services.authorization_save(actor=admin, dealer=dealer, product_line=line)
            services.credit_limit_set(actor=admin, dealer=dealer, credit_limit=10**10, reason="bench")
            services.default_warehouse_set(actor=admin, dealer=dealer, warehouse=warehouse)
            user = accounts.user_create(
                actor=admin, username=f"bench-dealer-{n:02d}", role=Role.DEALER_ADMIN, dealer_id=dealer.pk
            )
            dealers.append((dealer, user))
    keys = [accounts.token_create(user=user, name="bench", expires_in_days=7)[1] for _dealer, user in dealers]
    events_publish()
    return Shop(
        dealers=[(dealer.pk, key) for (dealer, _user), key in zip(dealers, keys, strict=True)],
        products=[p.pk for p in products],
        hot=hot.pk,
    )


def restock_hot(shop: Shop) -> None:
    """Every round starts with the same few free units of the hot product."""
    from dms.accounts.models import User
    from orders import services
    from orders.models import StockLevel

    level = StockLevel.objects.select_related("warehouse", "product").get(product_id=shop.hot)
    counts = [(level.warehouse, level.product, level.reserved + HOT_UNITS)]
    admin = User.objects.get(username=ADMIN_USERNAME)
    services.stock_set_counts(actor=admin, counts=counts, reason="bench round")


def order_bodies(shop: Shop, *, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    bodies = []
    for _n in range(count):
        lines = [{"product": pk, "quantity": rng.randint(1, 3)} for pk in rng.sample(shop.products, 2)]
        if rng.random() < HOT_SHARE:
            lines.append({"product": shop.hot, "quantity": 1})
        bodies.append({"lines": lines})
    return bodies


class InProcessSender:
    """One dealer's connection to the API through Django's test client (no network, no server), as
    ``python -m bench`` sends its requests."""

    def __init__(self, token_key: str | None = None):
        from django.test import Client

        self.client = Client()
        self.headers = {"Authorization": f"Token {token_key}"} if token_key else {}

    def get(self, path: str):
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        data = json.dumps(body) if body is not None else ""
        return self.client.post(path, data=data, content_type="application/json", headers=self.headers)


@dataclass(frozen=True)
class Reply:
    status_code: int
    content: bytes

    def json(self):
        return json.loads(self.content)


class HttpSender:
    """One dealer's keep-alive HTTP connection to a running server."""

    def __init__(self, address: tuple[str, int], token_key: str | None = None):
        from bench.server import Connection

        headers = {"Authorization": f"Token {token_key}"} if token_key else {}
        self.connection = Connection(address, headers)

    def get(self, path: str) -> Reply:
        reply = self.connection.get(path)
        return Reply(reply.status, reply.body)

    def post(self, path: str, body: dict | None = None) -> Reply:
        data = json.dumps(body).encode() if body is not None else b""
        reply = self.connection.request("POST", path, data, {"Content-Type": "application/json"})
        return Reply(reply.status, reply.body)


def place(sender: InProcessSender | HttpSender, body: dict) -> str | None:
    """Create and submit one order; None when it went through, else the refusal's code."""
    created = sender.post("/api/v1/orders/", body)
    if created.status_code != 201:
        raise BenchmarkFailure(f"POST /api/v1/orders/ returned {created.status_code}: {created.content[:300]!r}")
    order_id = created.json()["id"]
    submitted = sender.post(f"/api/v1/orders/{order_id}/submit/")
    if submitted.status_code == 200:
        if submitted.json()["status"] not in ("approved", "pending_approval"):
            raise BenchmarkFailure(f"order {order_id} ended {submitted.json()['status']}")
        return None
    if submitted.status_code == 409:
        return submitted.json().get("code", "?")
    raise BenchmarkFailure(f"submit of order {order_id} returned {submitted.status_code}: {submitted.content[:300]!r}")


def run_threads(prepare, work, arguments) -> tuple[float, list]:
    """One thread per argument runs ``prepare(argument)`` (not measured), waits for the others, then
    ``work(prepared)``. Returns the wall time from the common start to the last thread's end, and the results."""
    from django.db import connection

    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments) + 1)
    results, errors = [None] * len(arguments), []

    def worker(index, argument):
        try:
            prepared = prepare(argument)
            barrier.wait()
            results[index] = work(prepared)
        except threading.BrokenBarrierError:
            pass  # another thread failed; its error is reported
        except Exception as exc:  # reported below, after every thread has stopped
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    gc.collect()
    with suppress(threading.BrokenBarrierError):
        barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise BenchmarkFailure(f"{len(errors)} of {len(threads)} threads failed, first: {errors[0]}")
    return seconds, results


def baseline(dealers: int, requests: int, warmup: int, connect) -> float:
    """``GET /healthz`` from ``dealers`` threads at once: requests per second."""
    per_thread = requests // dealers

    def prepare(_n):
        sender = connect(None)
        for _i in range(warmup):
            sender.get("/healthz")
        return sender

    def work(sender):
        for _i in range(per_thread):
            if sender.get("/healthz").status_code != 200:
                raise BenchmarkFailure("GET /healthz did not answer 200")

    seconds, _results = run_threads(prepare, work, range(dealers))
    return per_thread * dealers / seconds


def measure(shop: Shop, dealers: int, orders: int, warmup: int, connect) -> Round:
    """One round: ``dealers`` threads, each a dealer placing its share of ``orders``; ``connect(token)`` gives
    a thread its sender."""
    restock_hot(shop)
    per_dealer = orders // dealers

    def prepare(index):
        sender = connect(shop.dealers[index][1])
        for body in order_bodies(shop, count=warmup, seed=SEED - index - 1):
            body["lines"] = [line for line in body["lines"] if line["product"] != shop.hot]
            place(sender, body)
        return sender, order_bodies(shop, count=per_dealer, seed=SEED + 1000 * dealers + index)

    def work(prepared):
        sender, bodies = prepared
        timings, refusals = [], []
        for body in bodies:
            before = time.perf_counter()
            refusal = place(sender, body)
            timings.append(time.perf_counter() - before)
            if refusal:
                refusals.append(refusal)
        return timings, refusals

    base = baseline(dealers, max(2 * per_dealer * dealers, BASELINE_REQUESTS), warmup, connect)
    seconds, results = run_threads(prepare, work, range(dealers))
    latencies = [t for timings, _r in results for t in timings]
    refusals = [code for _t, codes in results for code in codes]
    if any(code != "insufficient_stock" for code in refusals):
        raise BenchmarkFailure(f"refusals other than insufficient_stock: {sorted(set(refusals))}")
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else latencies[0]
    return Round(
        dealers=dealers,
        orders=len(latencies),
        refused=len(refusals),
        seconds=seconds,
        orders_per_s=len(latencies) / seconds,
        baseline_per_s=base,
        ratio=len(latencies) / seconds / base,
        p50_ms=statistics.median(latencies) * 1000,
        p95_ms=p95 * 1000,
    )


def queries_per_order(shop: Shop, lines: int) -> int:
    """The SQL queries of creating and submitting one order of ``lines`` lines, both requests together."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sender = InProcessSender(shop.dealers[0][1])
    body = {"lines": [{"product": pk, "quantity": 1} for pk in shop.products[:lines]]}
    place(sender, body)  # warms this process's caches (content types, compiled reads), as the measured rounds did
    with CaptureQueriesContext(connection) as captured:
        if place(sender, body) is not None:
            raise BenchmarkFailure("the query count order was refused")
    return len(captured.captured_queries)


def check_stock(shop: Shop) -> dict:
    """Nothing oversold: every level within its stock, and reserved exactly what the orders hold."""
    from django.db.models import F, Sum

    from orders.models import Order, Reservation, StockLevel

    oversold = StockLevel.objects.filter(reserved__gt=F("on_hand")).count()
    held = {
        (row["warehouse"], row["line__product"]): row["total"]
        for row in Reservation.objects.values("warehouse", "line__product").annotate(total=Sum("quantity"))
    }
    mismatched = [
        level.pk
        for level in StockLevel.objects.all()
        if level.reserved != held.get((level.warehouse_id, level.product_id), 0)
    ]
    stray = Reservation.objects.exclude(line__order__status__in=["approved", "pending_approval"]).count()
    if oversold or mismatched or stray:
        raise BenchmarkFailure(f"stock is inconsistent: {oversold} oversold, {mismatched} mismatched, {stray} stray")
    orders = Order.objects.filter(dealer_id__in=[d for d, _k in shop.dealers])
    return {
        "approved": orders.filter(status="approved").count(),
        "drafts": orders.filter(status="draft").count(),
        "hot_reserved": StockLevel.objects.get(product_id=shop.hot).reserved,
    }


def print_table(rounds: list[Round], queries: dict[int, int]) -> None:
    header = (
        f"{'dealers':>7} {'orders':>7} {'refused':>7} {'orders/s':>9} {'healthz/s':>10} {'vs base':>8} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'queries':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in rounds:
        print(
            f"{r.dealers:>7} {r.orders:>7} {r.refused:>7} {r.orders_per_s:>9.1f} {r.baseline_per_s:>10.1f} "
            f"{r.ratio:>7.3f}x {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {queries[3]:>7}"
        )
    print(f"\nqueries per order (create + submit): {queries[3]} with 3 lines, {queries[30]} with 30 lines")


def misses(rounds: list[Round], queries: dict[int, int]) -> list[str]:
    """The targets this run missed, in words; empty when it met them all."""
    missed = []
    if queries[3] > TARGET_QUERIES:
        missed.append(f"{queries[3]} queries per order, target at most {TARGET_QUERIES}")
    if queries[30] > queries[3]:
        missed.append(f"{queries[30]} queries with 30 lines against {queries[3]} with 3: the count grows with lines")
    for r in rounds:
        if r.dealers != TARGET_DEALERS:
            continue
        if r.orders_per_s < TARGET_ORDERS_PER_S:
            missed.append(f"{r.orders_per_s:.1f} orders/s with {r.dealers} dealers, target {TARGET_ORDERS_PER_S}")
        if r.ratio < TARGET_RATIO:
            missed.append(f"{r.ratio:.3f}x of /healthz with {r.dealers} dealers, target {TARGET_RATIO}x")
        if r.p95_ms >= TARGET_P95_MS:
            missed.append(f"p95 {r.p95_ms:.0f} ms with {r.dealers} dealers, target under {TARGET_P95_MS} ms")
    return missed


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.orders", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dealers",
        default=",".join(map(str, DEALER_COUNTS)),
        help=f"comma-separated numbers of dealers ordering at once (default {','.join(map(str, DEALER_COUNTS))})",
    )
    parser.add_argument("--orders", type=int, default=ORDERS, help=f"orders per round (default {ORDERS})")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured orders per dealer before each round")
    parser.add_argument(
        "--server",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="send real HTTP requests to a gunicorn started for the run (the default; --no-server: in-process)",
    )
    parser.add_argument("--in-process", dest="server", action="store_false", help="the same as --no-server")
    parser.add_argument("--debug", action="store_true", help="DEBUG on (default: production settings)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="gunicorn sync workers (default 2 per CPU)",
    )
    parser.add_argument("--database", help="benchmark database name (must end in _bench; default <name>_orders_bench)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "orders.json", help="where to write JSON")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        args.dealers = sorted({int(n) for n in args.dealers.split(",")})
    except ValueError:
        parser.error("--dealers takes numbers separated by commas, e.g. 1,4,8,16")
    if not args.dealers or min(args.dealers) < 1 or max(args.dealers) > 64:
        parser.error("--dealers must be from 1 to 64")
    if args.orders < max(args.dealers):
        parser.error("--orders must be at least the largest number of dealers")
    if args.warmup < 0:
        parser.error("--warmup cannot be negative")
    return args


def run(args: argparse.Namespace) -> int:
    # Its own database: the request benchmark keeps its data between runs, and this one wipes its own.
    database_url, database_name = bench_database_url(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), args.database, suffix="_orders_bench"
    )
    created = ensure_database(database_url, database_name)
    configure_environment(database_url)
    if args.debug:
        os.environ["DJANGO_DEBUG"] = "1"
    else:
        configure_production()
    # Threads keep their connection between requests, as a web worker with persistent connections does.
    os.environ.setdefault("DJANGO_CONN_MAX_AGE", "600")

    import django

    django.setup()
    for noisy in ("axes", "celery"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Each refused submission (409) is logged as a warning.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    from django.conf import settings
    from django.core.management import call_command

    print(f"database {database_name} ({'created' if created else 'existing'}); migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    shop = generate(max(args.dealers))
    print(
        f"data: {len(shop.dealers)} dealers with tokens, {len(shop.products) + 1} products, "
        f"{HOT_UNITS} free units of the hot product per round (seed {SEED}) in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, DEBUG={settings.DEBUG}, "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, {os.cpu_count()} CPUs, "
        f"{args.orders} orders per round, warm-up {args.warmup} per dealer\n",
        flush=True,
    )
    with gunicorn(args.workers, RESULTS_DIR / "gunicorn.log") if args.server else nullcontext() as address:
        if address:
            print(
                f"server: gunicorn with {args.workers} sync workers at http://{address[0]}:{address[1]}/\n", flush=True
            )
            connect = partial(HttpSender, address)
        else:
            connect = InProcessSender
        rounds = [measure(shop, n, args.orders, args.warmup, connect) for n in args.dealers]
    queries = {lines: queries_per_order(shop, lines) for lines in (3, 30)}
    print_table(rounds, queries)
    stock = check_stock(shop)
    print(
        f"\nstock consistent: nothing oversold, reserved = the orders' reservations; every refusal was "
        f"insufficient_stock ({sum(r.refused for r in rounds)}); {stock['approved']} approved orders, "
        f"{stock['drafts']} refused left as drafts, {stock['hot_reserved']} units of the hot product reserved"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
        "cpus": os.cpu_count(),
        "database": database_name,
        "seed": SEED,
        "mode": f"gunicorn, {args.workers} sync workers" if args.server else "in-process test client",
        "baseline": "GET /healthz, same number of threads",
        "queries_per_order": queries[3],
        "queries_per_order_30_lines": queries[30],
        "targets": {
            "dealers": TARGET_DEALERS,
            "orders_per_s": TARGET_ORDERS_PER_S,
            "ratio": TARGET_RATIO,
            "p95_ms": TARGET_P95_MS,
            "queries": TARGET_QUERIES,
        },
        "stock": stock,
        "rounds": [asdict(r) for r in rounds],
    }
    missed = misses(rounds, queries)
    report["missed"] = missed
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}")
    if not any(r.dealers == TARGET_DEALERS for r in rounds):
        print(f"targets: no round with {TARGET_DEALERS} dealers, so only the query count was judged")
    for miss in missed:
        print(f"MISSED: {miss}")
    if missed:
        return 1
    print("every target met")
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except (BenchmarkFailure, ServerFailure) as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
