"""``python -m bench.import_dealers``: time the dealer import's dry run and apply on a generated CSV of 5,000 rows.

It uses the benchmark database exactly as ``python -m bench`` does (``<name>_bench``, created and migrated when
missing) and deletes the dealers it imported afterwards, so every run starts from the same state.
"""

import argparse
import csv
import io
import logging
import os
import sys
import time

from bench.__main__ import (
    DEFAULT_DATABASE_URL,
    BenchmarkFailure,
    bench_database_url,
    configure_environment,
    ensure_database,
)

ROWS = 5_000
ADMIN_USERNAME = "bench-import-admin"
# A body identifier no real code or the test factories use, so the generated dealers are found again for cleanup.
USCC_MARK = "B"


def generated_uscc(n: int, region_code: str) -> str:
    from dealers.validators import uscc_check_char

    first17 = f"91{region_code}{USCC_MARK}{n:08d}"
    return first17 + uscc_check_char(first17)


def make_csv(*, rows: int, regions: list, owner: str) -> bytes:
    """What a Chinese Excel user uploads: UTF-8 with a byte-order mark, Chinese titles, labels rather than codes."""
    from django.utils import translation

    from dealers.importing import TEMPLATE_COLUMNS
    from dealers.models import Dealer

    with translation.override("zh-hans"):
        header = [str(label) for _key, label in TEMPLATE_COLUMNS]
        statuses = [str(Dealer.Status(s).label) for s in ("prospect", "onboarding", "active")]
        tiers = [str(label) for _tier, label in Dealer.Tier.choices]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n in range(rows):
        region = regions[n % len(regions)]
        values = {
            "name": f"压测经销商{n:05d}",
            "legal_name": f"压测经销商{n:05d}贸易有限公司",
            "uscc": generated_uscc(n, region.code[:6]),
            "status": statuses[n % len(statuses)],
            "tier": tiers[n % len(tiers)],
            # Codes and names both occur in real files, and names are the costlier lookup.
            "region": region.code if n % 2 else region.name,
            "owner": owner if n % 3 == 0 else "",
            "payment_terms_days": str(30 + n % 4 * 15),
            "lead_capacity": str(10 + n % 20),
            "joined_on": f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}" if n % 3 == 2 else "",
            "contact_name": f"联系人{n}" if n % 2 == 0 else "",
            "contact_phone": f"138{n:08d}" if n % 2 == 0 else "",
        }
        writer.writerow([values.get(key, "") for key, _label in TEMPLATE_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def remove_generated(usccs: list[str]) -> int:
    """Delete the generated dealers and the events about them; the same on a clean database and after a crash."""
    from django.db import transaction

    from dealers.models import Dealer
    from dms.events.models import Event

    with transaction.atomic():
        ids = list(Dealer.objects.filter(uscc__in=usccs).values_list("pk", flat=True))
        Event.objects.filter(dealer_id__in=ids).delete()
        Dealer.objects.filter(pk__in=ids).delete()
    return len(ids)


def timed(label: str, rows: int, function):
    from django.db import reset_queries

    reset_queries()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    reset_queries()  # DEBUG keeps every query on the connection; drop them so memory stays flat
    print(f"{label:<14} {rows:>7} rows {seconds:>9.2f} s {rows / seconds:>11,.0f} rows/s", flush=True)
    return result


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.import_dealers", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows in the generated file (default {ROWS})")
    parser.add_argument("--database", help="benchmark database name (must end in _bench; default <name>_bench)")
    args = parser.parse_args(argv)
    if not 1 <= args.rows <= 10_000:
        parser.error("--rows must be from 1 to 10,000, the import's limit")
    return args


def run(args: argparse.Namespace) -> int:
    database_url, database_name = bench_database_url(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), args.database
    )
    created = ensure_database(database_url, database_name)
    configure_environment(database_url)

    import django

    django.setup()
    for noisy in ("axes", "celery"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from bench.data import ensure_bench_database
    from dealers import importing
    from dealers.models import Region
    from dealers.regions import load_regions
    from dms.accounts.models import Role, User

    print(f"database {database_name} ({'created' if created else 'existing'}); migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    ensure_bench_database()
    if not Region.objects.exists():  # python -m bench truncates tables; the region tree may have gone with them
        load_regions(Region)
    # Bootstrapped like bench/data.py's administrator: there is nobody to create the first one through a service.
    admin, _new = User.objects.get_or_create(username=ADMIN_USERNAME, defaults={"role": Role.HQ_ADMIN})
    regions = list(Region.objects.filter(level__in=["city", "district"]).order_by("code"))

    content = make_csv(rows=args.rows, regions=regions, owner=admin.username)
    usccs = [generated_uscc(n, regions[n % len(regions)].code[:6]) for n in range(args.rows)]
    leftovers = remove_generated(usccs)
    print(
        f"{args.rows} rows over {len(regions)} regions, CSV {len(content) / 1024:,.0f} KiB"
        + (f"; removed {leftovers} dealers left by an earlier run" if leftovers else ""),
        flush=True,
    )

    rows = timed("read_rows", args.rows, lambda: importing.read(SimpleUploadedFile("dealers.csv", content)))
    plan = timed("plan_import", args.rows, lambda: importing.plan_import(actor=admin, rows=rows))
    if not plan.ok:
        raise BenchmarkFailure(f"the generated file has errors, first: {plan.errors[:3]}")
    try:
        report = timed("apply_import", args.rows, lambda: importing.apply_import(actor=admin, rows=rows))
        if report.created != args.rows:
            raise BenchmarkFailure(f"created {report.created} of {args.rows} dealers; errors: {report.errors[:3]}")
    finally:
        removed = remove_generated(usccs)
    print(f"cleaned up {removed} imported dealers", flush=True)
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
