"""``python -m bench``: every list and home page at issue size, in production settings, against ``/healthz``.

Everything before ``django.setup()`` is about choosing the environment: settings read it at import,
so the database, the settings for production, the cache prefix and Celery mode must be decided first.
"""

import argparse
import json
import logging
import os
import platform
import secrets
import statistics
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dms"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
CPUS = os.cpu_count() or 2


class BenchmarkFailure(Exception):
    pass


@dataclass
class Result:
    scenario: str
    kind: str
    user: str | None
    path: str
    requests: int = 0
    seconds: float = 0.0
    throughput: float = 0.0
    ratio: float = 0.0
    target_ratio: float | None = None
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p95_limit_ms: float | None = None
    queries: int = 0
    queries_small: int | None = None
    queries_full: int | None = None
    explain: str = ""
    plan_problems: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


# Environment ------------------------------------------------------------------------------------


def bench_database_url(database_url: str, name: str | None, *, suffix: str = "_bench") -> tuple[str, str]:
    """The URL of the benchmark database: same server and credentials, ``<name><suffix>`` as the database
    (``<name>_bench`` for the benchmarks that rebuild their rows on every run)."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise BenchmarkFailure(f"DATABASE_URL must point at PostgreSQL, not {parts.scheme or database_url!r}")
    source = unquote(parts.path.lstrip("/")) or "dms"
    bench_name = name or (source if source.endswith("_bench") else f"{source}{suffix}")
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


def configure_production() -> None:
    """Settings as a deployment runs them (DEBUG off, manifest static files, Redis cache, persistent
    connections), except what plain HTTP on localhost needs: no redirect to HTTPS."""
    os.environ["DJANGO_DEBUG"] = "0"
    # Throwaway, per run: sessions are made for this run only. The server inherits it.
    os.environ["DJANGO_SECRET_KEY"] = f"bench-{secrets.token_urlsafe(48)}"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_CONN_MAX_AGE"] = "600"
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    # Collected apart from the project's staticfiles/, which a test run may be reading at the same time.
    os.environ["DMS_STATIC_ROOT"] = str(RESULTS_DIR / "static")


# Measurement ------------------------------------------------------------------------------------


def credentials(scenario, data, sessions: dict[str, str]) -> dict[str, str]:
    """The HTTP headers that make a request as the scenario's user."""
    if scenario.auth == "token":
        return {"Authorization": f"Token {data.tokens[scenario.user]}"}
    if scenario.auth == "session":
        from django.conf import settings

        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={sessions[scenario.user]}"}
    return {}


def session_for(username: str) -> str:
    """A signed-in session for the user, made as Django's login does."""
    from django.conf import settings
    from django.test import Client

    from dms.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def over_http(address, path: str, headers: dict, *, clients: int, seconds: float, warmup: int) -> dict:
    """``clients`` threads, each with its own keep-alive connection, send the request until ``seconds``
    have passed; throughput is every completed request over the wall time. A client whose request
    times out stops, and the scenario records the timeout."""
    from bench.server import REQUEST_TIMEOUT, Connection

    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start = threading.Barrier(clients + 1)
    window: dict[str, float] = {}

    def send(connection: Connection) -> bool:
        try:
            reply = connection.get(path)
        except TimeoutError:
            errors.append(f"timeout: no answer within {REQUEST_TIMEOUT} s")
            return False
        if reply.status != 200 and len(errors) < 5:
            errors.append(f"HTTP {reply.status}: {reply.body[:200].decode(errors='replace')}")
        return True

    def client(index: int) -> None:
        connection = Connection(address, headers)
        # A page that takes seconds must not take minutes to warm up.
        warm_until = time.perf_counter() + seconds
        answering = True
        try:
            for _i in range(warmup):
                if time.perf_counter() >= warm_until or not answering:
                    break
                answering = send(connection)
            start.wait()
            mine = latencies[index]
            while answering:
                before = time.perf_counter()
                if before >= window["deadline"]:
                    break
                answering = send(connection)
                if answering:
                    mine.append(time.perf_counter() - before)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    window["deadline"] = float("inf")
    start.wait()
    began = time.perf_counter()
    window["deadline"] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return summarise([value for mine in latencies for value in mine], elapsed, errors)


def in_process(path: str, headers: dict, *, seconds: float, warmup: int) -> dict:
    """The ``--debug`` mode: one request at a time through Django's test client, no server."""
    from django.db import reset_queries
    from django.test import Client

    client = Client()
    errors = []
    for _i in range(warmup):
        client.get(path, headers=headers)
    latencies = []
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        before = time.perf_counter()
        response = client.get(path, headers=headers)
        latencies.append(time.perf_counter() - before)
        if response.status_code != 200 and len(errors) < 5:
            errors.append(f"HTTP {response.status_code}: {response.content[:200].decode(errors='replace')}")
        # DEBUG=True keeps every query on the connection; drop them so memory stays flat.
        reset_queries()
    return summarise(latencies, time.perf_counter() - began, errors)


def summarise(latencies: list[float], elapsed: float, errors: list[str]) -> dict:
    errors = list(dict.fromkeys(errors))
    if not latencies:
        return {"requests": 0, "seconds": elapsed, "throughput": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "errors": errors}
    # quantiles needs two points; with one request p95 is that request.
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else latencies[0]
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "throughput": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": p95 * 1000,
        "errors": errors,
    }


def captured(path: str, headers: dict) -> tuple[int, list[str]]:
    """One request in process: its status and the SQL it ran."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path, headers=headers)
    return response.status_code, [query["sql"] for query in queries.captured_queries]


def with_page_size(path: str, param: str, size: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}{param}={size}"


def inspect(scenario, path: str, headers: dict, big: dict[str, int], result: Result) -> None:
    """Query count, EXPLAIN verdict and the small-page / full-page query counts of one scenario."""
    from bench import explain

    # A view that raises is a finding of the run, not the end of it.
    try:
        status, queries = captured(path, headers)
    except Exception as exc:
        result.errors.append(f"in process: {type(exc).__name__}: {exc}"[:300])
        return
    result.queries = len(queries)
    if status != 200:
        result.errors.append(f"in process: HTTP {status}")
    verdict = explain.judge(queries, big)
    result.explain = verdict.summary
    result.plan_problems = [asdict(problem) for problem in verdict.problems]
    if scenario.size_param:
        small, full = scenario.sizes
        result.queries_small = len(captured(with_page_size(path, scenario.size_param, small), headers)[1])
        result.queries_full = len(captured(with_page_size(path, scenario.size_param, full), headers)[1])


def judge(result: Result) -> None:
    if result.errors:
        result.failures.append("errors")
    if result.target_ratio is not None and result.ratio < result.target_ratio:
        result.failures.append("ratio")
    if result.p95_limit_ms is not None and result.p95_ms >= result.p95_limit_ms:
        result.failures.append("p95")
    if result.plan_problems:
        result.failures.append("explain")
    if result.queries_small is not None and result.queries_full > result.queries_small:
        result.failures.append("queries grow")


def measure_scenarios(scenarios, args, address, data, samples, sessions, big) -> tuple[dict[str, Result], list]:
    """Measure each scenario (over HTTP when there is a server, else in process) and inspect its queries;
    the baseline is measured first and last, and the run compares with the mean of the two."""
    from bench.scenarios import BASELINE

    results: dict[str, Result] = {}
    baselines = []
    for scenario in [*scenarios, BASELINE]:
        path = scenario.path.format(**samples)
        headers = credentials(scenario, data, sessions)
        if address:
            stats = over_http(address, path, headers, clients=args.clients, seconds=args.seconds, warmup=args.warmup)
        else:
            stats = in_process(path, headers, seconds=args.seconds, warmup=args.warmup)
        if scenario is BASELINE:
            baselines.append(stats["throughput"])
            if len(baselines) > 1:
                continue
        result = Result(
            scenario=scenario.name,
            kind=scenario.kind,
            user=scenario.user,
            path=path,
            target_ratio=scenario.target_ratio,
            p95_limit_ms=scenario.p95_limit_ms,
            **stats,
        )
        if any(error.startswith("timeout") for error in result.errors):
            result.explain = "not run: the request timed out"
            # The workers are still busy with the abandoned requests: wait until each answers again.
            over_http(address, BASELINE.path, {}, clients=args.workers, seconds=0.1, warmup=1)
        else:
            inspect(scenario, path, headers, big, result)
        results[scenario.name] = result
        print(
            f"  {scenario.name:<44} {result.throughput:>7.1f} req/s  p95 {result.p95_ms:>6.1f} ms  "
            f"{result.queries:>3} queries  {result.explain}",
            flush=True,
        )
    return results, baselines


# Coverage ---------------------------------------------------------------------------------------


def uncovered_api_lists(scenarios) -> list[str]:
    """API list operations of the OpenAPI schema that no scenario measures."""
    import re

    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    lists = {
        path
        for path, operations in schema["paths"].items()
        if operations.get("get", {}).get("operationId", "").endswith("_list")
    }

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    measured = {shape(s.path) for s in scenarios if s.kind == "api"}
    return sorted(path for path in lists if shape(path) not in measured)


# Output -----------------------------------------------------------------------------------------


def print_table(results: list[Result], baseline: float) -> None:
    header = (
        f"{'scenario':<44} {'req/s':>7} {'ratio':>7} {'target':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'queries':>9}  {'EXPLAIN':<34} result"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        target = f"{r.target_ratio:.2f}x" if r.target_ratio is not None else "base"
        queries = str(r.queries)
        if r.queries_small is not None and r.queries_full != r.queries_small:
            queries = f"{r.queries_small}→{r.queries_full}"
        explain = r.explain if len(r.explain) <= 34 else r.explain[:33] + "…"
        outcome = "PASS" if r.passed else "FAIL " + ",".join(r.failures)
        print(
            f"{r.scenario:<44} {r.throughput:>7.1f} {r.ratio:>6.3f}x {target:>7} {r.p50_ms:>7.1f} {r.p95_ms:>7.1f} "
            f"{queries:>9}  {explain:<34} {outcome}"
        )
    print(f"\nbaseline {baseline:.0f} req/s; API lists need ≥0.10x and p95 < 20 ms, pages ≥0.05x.")


def print_problems(results: list[Result]) -> None:
    shown = [r for r in results if r.plan_problems or r.errors]
    if not shown:
        return
    print("\nWhy (one line per plan node or error; full SQL in the JSON):")
    for r in shown:
        for error in r.errors:
            print(f"  {r.scenario}: {error}")
        for problem in {p["detail"]: p for p in r.plan_problems}.values():
            print(f"  {r.scenario}: {problem['kind']} — {problem['detail']}")


# Run --------------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="DEBUG on, in process through the test client")
    parser.add_argument("--rebuild", action="store_true", help="build the data again even when it is current")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per scenario (default 3)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per client before each scenario")
    parser.add_argument("--clients", type=int, default=CPUS * 2, help="client threads (default 2 per CPU)")
    parser.add_argument("--workers", type=int, default=CPUS * 2, help="gunicorn sync workers (default 2 per CPU)")
    parser.add_argument("--only", help="measure only the scenarios whose name contains this text (and the baseline)")
    parser.add_argument(
        "--database", help="benchmark database name (must end in _bench; default <name>_requests_bench)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json", help="where to write JSON")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.workers < 1 or args.warmup < 0:
        parser.error("--seconds, --clients and --workers must be positive, --warmup not negative")
    return args


def prepare(args: argparse.Namespace) -> tuple[str, bool]:
    # Its own database by default: the other benchmarks wipe theirs on every run, and this one's data
    # takes a minute to build.
    database_url, database_name = bench_database_url(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), args.database, suffix="_requests_bench"
    )
    created = ensure_database(database_url, database_name)
    configure_environment(database_url)
    if not args.debug:
        configure_production()
    return database_name, created


def run(args: argparse.Namespace) -> int:
    database_name, created = prepare(args)

    import django

    django.setup()
    # force_login and the eager outbox task log at INFO; keep the table readable.
    for noisy in ("axes", "celery"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command

    from bench import data as bench_data
    from bench import explain
    from bench.scenarios import BASELINE, SCENARIOS
    from bench.server import gunicorn

    print(f"database {database_name} ({'created' if created else 'existing'}); migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    data, built = bench_data.ensure(rebuild=args.rebuild)
    counts = ", ".join(f"{value:,} {key}" for key, value in data.counts.items())
    print(f"data {'built' if built else 'reused'} in {time.perf_counter() - started:.1f}s: {counts}", flush=True)
    if not settings.DEBUG:
        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"static files collected in {time.perf_counter() - started:.1f}s", flush=True)
    # Aggregates cached by an earlier run may describe an earlier build.
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")

    scenarios = [s for s in SCENARIOS if s is BASELINE or not args.only or args.only in s.name]
    missing = uncovered_api_lists(SCENARIOS)
    samples = bench_data.samples(data)
    sessions = {user: session_for(data.usernames[user]) for user in {s.user for s in scenarios if s.auth == "session"}}
    big = explain.big_tables()
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    mode = "in process, DEBUG on" if settings.DEBUG else f"gunicorn {args.workers} sync workers, {args.clients} clients"
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, DEBUG={settings.DEBUG}, "
        f"cache {cache_backend}, {mode}, {args.seconds:g}s per scenario; "
        f"{len(big)} tables over {explain.BIG_TABLE_ROWS:,} rows\n",
        flush=True,
    )

    server = nullcontext() if settings.DEBUG else gunicorn(args.workers, RESULTS_DIR / "gunicorn.log")
    with server as address:
        results, baselines = measure_scenarios(scenarios, args, address, data, samples, sessions, big)
    baseline = statistics.mean(baselines)
    for result in results.values():
        result.ratio = result.throughput / baseline
        if result.kind != "baseline":
            judge(result)
    ordered = list(results.values())
    print()
    print_table(ordered, baseline)
    print_problems(ordered)
    if missing:
        print(f"\nAPI list operations without a scenario (add one line each to bench/scenarios.py): {missing}")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
        "cache": cache_backend,
        "mode": mode,
        "database": database_name,
        "data": {"fingerprint": data.fingerprint, "counts": data.counts},
        "seconds_per_scenario": args.seconds,
        "baseline": {"scenario": BASELINE.name, "throughputs": baselines, "mean": baseline},
        "uncovered_api_lists": missing,
        "results": [{**asdict(r), "passed": r.passed} for r in ordered],
    }
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    failed = [r.scenario for r in ordered if not r.passed]
    print(f"\nwrote {args.output}; {len(ordered) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or missing else 0


def main(argv=None) -> int:
    from bench.server import ServerFailure

    args = parse_args(argv)
    try:
        return run(args)
    except (BenchmarkFailure, ServerFailure) as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
