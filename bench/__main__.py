"""``python -m bench``: switch to the benchmark database, generate data, measure, print and save results.

Everything before ``django.setup()`` is about choosing the environment: settings read it at import,
so the database, cache prefix and Celery mode must be decided first.
"""

import argparse
import gc
import json
import logging
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dms"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


class BenchmarkFailure(Exception):
    pass


@dataclass(frozen=True)
class Result:
    scenario: str
    method: str
    path: str
    requests: int
    seconds: float
    throughput: float
    ratio: float
    p50_ms: float
    p95_ms: float
    queries: int


def bench_database_url(database_url: str, name: str | None) -> tuple[str, str]:
    """The URL of the benchmark database: same server and credentials, ``<name>_bench`` as the database."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise BenchmarkFailure(f"DATABASE_URL must point at PostgreSQL, not {parts.scheme or database_url!r}")
    source = unquote(parts.path.lstrip("/")) or "dms"
    bench_name = name or (source if source.endswith("_bench") else f"{source}_bench")
    if not bench_name.endswith("_bench"):
        raise BenchmarkFailure(f"the benchmark database name must end in _bench, not {bench_name!r}")
    return urlunsplit(parts._replace(path=f"/{bench_name}")), bench_name


def ensure_database(database_url: str, name: str) -> bool:
    """Create the database when it is missing; True when it was created."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(database_url)
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        dbname="postgres",
    )
    try:
        # CREATE DATABASE cannot run inside a transaction block.
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        connection.close()


def configure_environment(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")
    # Tasks queued on commit would otherwise land in the developer's broker and run against their
    # database; run eagerly, they stay inside this process and this database.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    # Redis may be shared with the developer's server; keep the benchmark's keys apart.
    os.environ["DMS_CACHE_PREFIX"] = "dms-bench"


def make_client(scenario, data):
    from django.test import Client

    client = Client()
    headers = dict(scenario.headers)
    if scenario.auth == "session":
        client.force_login(data.admin)
    elif scenario.auth == "token":
        headers["Authorization"] = f"Token {data.token_key}"
    elif scenario.auth != "anonymous":
        raise BenchmarkFailure(f"{scenario.name}: unknown auth {scenario.auth!r}")

    if scenario.method == "get":
        return lambda: client.get(scenario.path, headers=headers)
    if scenario.method == "post":
        body = json.dumps(scenario.body or {})
        return lambda: client.post(scenario.path, data=body, content_type="application/json", headers=headers)
    raise BenchmarkFailure(f"{scenario.name}: unsupported method {scenario.method!r}")


def check(scenario, response, *, measured: bool) -> None:
    if response.status_code != scenario.expect:
        content = response.content[:500].decode(errors="replace")
        raise BenchmarkFailure(
            f"{scenario.name}: {scenario.method.upper()} {scenario.path} returned {response.status_code}, "
            f"expected {scenario.expect}: {content}"
        )
    # The first POST of a replay scenario is the original request, so only measured ones must be replays.
    if measured and scenario.expect_header:
        name, value = scenario.expect_header
        if response.headers.get(name) != value:
            raise BenchmarkFailure(f"{scenario.name}: response lacks {name}: {value}")


def measure(scenario, data, *, requests: int, warmup: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    send = make_client(scenario, data)
    # Never zero: the replay scenario's original POST must stay out of the measured requests.
    for _i in range(max(warmup, 1)):
        check(scenario, send(), measured=False)
        reset_queries()
    gc.collect()
    latencies = []
    started = time.perf_counter()
    for _i in range(requests):
        before = time.perf_counter()
        response = send()
        latencies.append(time.perf_counter() - before)
        check(scenario, response, measured=True)
        # DEBUG=True keeps every query on the connection; drop them so memory stays flat.
        reset_queries()
    seconds = time.perf_counter() - started
    with CaptureQueriesContext(connection) as captured:
        check(scenario, send(), measured=True)
    # Read before reset_queries(): captured_queries is a slice of the connection's live log.
    queries = len(captured.captured_queries)
    reset_queries()
    # quantiles needs two points; with one request p95 is that request.
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else latencies[0]
    return {
        "seconds": seconds,
        "throughput": requests / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": p95 * 1000,
        "queries": queries,
    }


def print_table(results: list[Result]) -> None:
    header = f"{'scenario':<32} {'requests':>8} {'req/s':>9} {'vs base':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.scenario:<32} {r.requests:>8} {r.throughput:>9.1f} {r.ratio:>7.3f}x "
            f"{r.p50_ms:>8.2f} {r.p95_ms:>8.2f} {r.queries:>7}"
        )


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, help="requests per scenario (default: 300 for the baseline, 150 for the others)"
    )
    parser.add_argument(
        "--warmup", type=int, default=10, help="unmeasured requests before each scenario (at least 1 is sent)"
    )
    parser.add_argument("--database", help="benchmark database name (must end in _bench; default <name>_bench)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json", help="where to write JSON")
    args = parser.parse_args(argv)
    if args.requests is not None and args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup cannot be negative")
    return args


def run(args: argparse.Namespace) -> int:
    database_url, database_name = bench_database_url(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), args.database
    )
    created = ensure_database(database_url, database_name)
    configure_environment(database_url)

    import django

    django.setup()
    # force_login and the eager outbox task log at INFO on every scenario; keep the table readable.
    for noisy in ("axes", "celery"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from django.conf import settings
    from django.core.management import call_command

    from bench import data as bench_data
    from bench.scenarios import BASELINE, SCENARIOS

    print(f"database {database_name} ({'created' if created else 'existing'}); migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    data = bench_data.generate()
    print(
        f"data: {data.users} users, {data.events} events, {data.notifications} notifications for "
        f"{data.admin.username} (seed {bench_data.SEED}) in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, DEBUG={settings.DEBUG}, "
        f"cache {cache}, warm-up {args.warmup}\n",
        flush=True,
    )

    measured = {}
    for scenario in SCENARIOS:
        requests = args.requests or scenario.requests
        measured[scenario.name] = (scenario, requests, measure(scenario, data, requests=requests, warmup=args.warmup))
    baseline = measured[BASELINE.name][2]["throughput"]
    results = [
        Result(
            scenario=scenario.name,
            method=scenario.method.upper(),
            path=scenario.path,
            requests=requests,
            ratio=stats["throughput"] / baseline,
            **stats,
        )
        for scenario, requests, stats in measured.values()
    ]
    print_table(results)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
        "cache": cache,
        "database": database_name,
        "seed": bench_data.SEED,
        "warmup": args.warmup,
        "data": {"users": data.users, "events": data.events, "notifications": data.notifications},
        "baseline": BASELINE.name,
        "results": [asdict(r) for r in results],
    }
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.output}")
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except BenchmarkFailure as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
