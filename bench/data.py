# The bulk statements below interpolate only integers this module computes (ids, sizes).
# ruff: noqa: S608
"""Benchmark data at the size a real deployment reaches, built once per benchmark database and reused.

The few people the requests are made as (and their API tokens) go through the project's services, so
they look exactly like real ones. Everything else — 5,000 dealers, 50,000 orders with their lines,
invoices and payments, 100,000 leads with their assignments and follow-ups, over 200,000 events and the
notifications — is written by ``INSERT … SELECT generate_series`` statements (and one ``COPY``) in one
transaction, with the foreign-key triggers off and the big tables' indexes created after their rows: about
a minute. ``setseed`` makes ``random()`` repeat, so every build holds the same rows with the same primary keys.

A marker table, ``bench_dataset``, holds the fingerprint of the build (``DATA_VERSION`` and the sizes)
and what the runner needs to know about it (usernames, token keys, the big dealer). A later run whose
fingerprint matches, and whose tables still hold the rows the marker promises, reuses the data.
``wipe()`` (also used by the other benchmarks, which build their own rows in the same database) drops
the marker, so the next request benchmark builds again.
"""

import hashlib
import json
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

SEED = 0.20260101
# Bump when the shape of the data changes: an older build is then rebuilt rather than reused.
DATA_VERSION = 3
SIZES = {
    "dealers": 5_000,
    "orders": 50_000,
    "leads": 100_000,
    "notifications": 10_000,
    "applications": 3_000,
    "registrations": 3_000,
    "reps": 40,
    "dealer_admins": 300,
    "products": 200,
}
# The share of orders, leads and registrations that belongs to the big dealer the portal is measured as.
BIG_DEALER_SHARE = 0.1
MARKER_TABLE = "bench_dataset"
# The tables that receive tens of thousands of rows: their indexes are built after the rows.
BULK_TABLES = [
    "orders_order",
    "orders_orderline",
    "orders_invoice",
    "logistics_shipment",
    "logistics_shipmentline",
    "logistics_trackingevent",
    "orders_payment",
    "leads_lead",
    "leads_assignment",
    "leads_followup",
    "events_event",
    "events_notification",
]

ADMIN_USERNAME = "bench-admin"
STAFF_USERNAME = "bench-staff"
REP_USERNAME = "bench-rep"
DEALER_ADMIN_USERNAME = "bench-dealer-admin"
DEALER_STAFF_USERNAME = "bench-dealer-staff"
# Head-office staff see Zhejiang; the measured sales rep covers Guangdong, the province with most dealers.
STAFF_REGION = "330000"
REP_REGION = "440000"
BIG_DEALER_REGION = "440100"
TOKEN_NAME = "bench"


@dataclass(frozen=True)
class BenchData:
    """What the runner needs to know about a build: who to sign in as and how much there is."""

    fingerprint: str
    usernames: dict[str, str]
    tokens: dict[str, str]
    big_dealer_id: int
    counts: dict[str, int]


def fingerprint() -> str:
    return hashlib.sha256(json.dumps({"version": DATA_VERSION, "sizes": SIZES}, sort_keys=True).encode()).hexdigest()[
        :16
    ]


def ensure_bench_database() -> None:
    """Refuse to wipe anything but a database whose name says it belongs to the benchmark."""
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not str(name).endswith("_bench"):
        raise RuntimeError(f"bench data may only be written to a PostgreSQL *_bench database, not {name!r}")


def _wiped_models() -> list:
    from django.contrib.sessions.models import Session

    from dealers.models import Dealer, DealerApplication
    from dms.accounts.models import ApiToken, User
    from dms.api.models import IdempotencyKey
    from dms.events.models import Event, Notification, NotificationPreference
    from dms.models import DocumentCounter
    from leads.models import AssignmentRule, Lead, LeadImport, LeadSource
    from orders.models import ProductLine, Warehouse

    # CASCADE takes every table that points at these: contacts, documents, orders and their lines,
    # invoices, payments, credit, assignments, follow-ups, registrations, products, stock, prices.
    return [
        Notification,
        NotificationPreference,
        Event,
        IdempotencyKey,
        ApiToken,
        Session,
        DealerApplication,
        Lead,
        LeadImport,
        LeadSource,
        AssignmentRule,
        ProductLine,
        Warehouse,
        DocumentCounter,
        Dealer,
        User,
    ]


def wipe() -> None:
    """Empty every table the benchmarks write, and forget the request benchmark's build.

    TRUNCATE … RESTART IDENTITY gives the same primary keys on every build; CASCADE also clears the
    tables that point at users and dealers (admin log, groups, region assignments)."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in _wiped_models())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")


def _counts() -> dict[str, int]:
    from dealers.models import Dealer
    from dms.events.models import Event, Notification
    from leads.models import Lead
    from orders.models import Order, OrderLine

    return {
        "dealers": Dealer.objects.count(),
        "orders": Order.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "leads": Lead.objects.count(),
        "events": Event.objects.count(),
        "notifications": Notification.objects.count(),
    }


def load() -> BenchData | None:
    """The build recorded in the marker, when it matches this version and its rows are still there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT fingerprint, facts FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    if row is None or row[0] != fingerprint():
        return None
    facts = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    data = BenchData(**facts)
    # Another benchmark may have rebuilt its own rows here without going through wipe(): check the counts.
    if _counts() != data.counts:
        return None
    return data


def _save(data: BenchData) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (fingerprint text NOT NULL, built_at timestamptz, facts jsonb)")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, now(), %s)",
            [data.fingerprint, json.dumps(asdict(data))],
        )


def ensure(*, rebuild: bool = False) -> tuple[BenchData, bool]:
    """The benchmark data, built when missing, outdated or asked for; True when it was built now."""
    ensure_bench_database()
    if not rebuild:
        data = load()
        if data is not None:
            return data, False
    return build(), True


def _people() -> dict[str, object]:
    """The users requests are made as, through the services; their API tokens."""
    from dealers.models import Region
    from dms import events
    from dms.accounts import services as account_services
    from dms.accounts import verbs as account_verbs
    from dms.accounts.models import Role, User

    # The first HQ admin has nobody to create them, so it is bootstrapped the way seed_demo does it.
    admin = User(username=ADMIN_USERNAME, role=Role.HQ_ADMIN, first_name="Bench", last_name="Admin")
    admin.set_unusable_password()
    admin.save()
    events.record(actor=None, verb=account_verbs.USER_CREATED.code, target=admin, data={"role": admin.role})
    staff = account_services.user_create(
        actor=admin,
        username=STAFF_USERNAME,
        role=Role.HQ_STAFF,
        first_name="Bench",
        last_name="Staff",
        regions=[Region.objects.get(code=STAFF_REGION)],
    )
    rep = account_services.user_create(
        actor=admin,
        username=REP_USERNAME,
        role=Role.SALES_REP,
        first_name="Bench",
        last_name="Rep",
        regions=[Region.objects.get(code=REP_REGION)],
    )
    return {"admin": admin, "staff": staff, "rep": rep}


def _dealer_people(admin, big_dealer_id: int) -> dict[str, object]:
    from dms.accounts import services as account_services
    from dms.accounts.models import Role

    dealer_admin = account_services.user_create(
        actor=admin,
        username=DEALER_ADMIN_USERNAME,
        role=Role.DEALER_ADMIN,
        first_name="Bench",
        last_name="Dealer",
        dealer_id=big_dealer_id,
    )
    dealer_staff = account_services.user_create(
        actor=admin,
        username=DEALER_STAFF_USERNAME,
        role=Role.DEALER_STAFF,
        first_name="Bench",
        last_name="Clerk",
        dealer_id=big_dealer_id,
    )
    return {"dealer_admin": dealer_admin, "dealer_staff": dealer_staff}


def _dealer_rows(owner_ids: list[int], region_ids: list[int], big_region_id: int) -> list[tuple]:
    """Dealers with valid unified credit codes, spread over statuses, tiers, regions and owners."""
    import random

    from dealers.validators import uscc_check_char

    rng = random.Random(SEED)
    statuses = ["active"] * 70 + ["probation"] * 5 + ["suspended"] * 4 + ["onboarding"] * 8
    statuses += ["prospect"] * 10 + ["terminated"] * 3
    tiers = ["A"] * 5 + ["B"] * 20 + ["C"] * 50 + ["D"] * 25
    now = timezone.now()
    rows = []
    for i in range(1, SIZES["dealers"] + 1):
        big = i == 1
        first17 = f"91{440100 if big else 100000 + i:06d}{i:09d}"
        status = "active" if big else rng.choice(statuses)
        created_at = now - timedelta(days=i % 900, minutes=i)
        joined_on = created_at.date() if status in ("active", "probation", "suspended", "terminated") else None
        rows.append(
            (
                f"D{i:05d}",
                f"压测经销商{i:05d}",
                f"压测经销商{i:05d}有限公司",
                first17 + uscc_check_char(first17),
                status,
                "A" if big else rng.choice(tiers),
                big_region_id if big else rng.choice(region_ids),
                f"测试路{i}号",
                rng.choice(owner_ids) if rng.random() < 0.9 else None,
                rng.choice([30, 45, 60]),
                rng.choice([10, 20, 50]),
                joined_on,
                created_at.isoformat(),
                now.isoformat(),
            )
        )
    return rows


def _application_codes() -> list[tuple]:
    """Valid unified credit codes for the applications, none of them a dealer's."""
    from dealers.validators import uscc_check_char

    codes = []
    for n in range(1, SIZES["applications"] + 1):
        first17 = f"92{310000 + n:06d}{n:09d}"
        codes.append((n, first17 + uscc_check_char(first17)))
    return codes


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a table through psycopg2, tab-separated, ``\\N`` for NULL."""
    import io

    def field(value) -> str:
        return "\\N" if value is None else str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    buffer = io.StringIO("".join("\t".join(field(v) for v in row) + "\n" for row in rows))
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


# Every statement below picks rows from these numbered temporary tables (n = 0, 1, …) rather than
# assuming primary-key ranges. Arrays would be shorter to write, but a large array is stored compressed
# and PostgreSQL decompresses it again for every row that reads an element of it.
_PICKS = {
    "regions": "SELECT id FROM dealers_region WHERE level IN ('city', 'district')",
    "trading": "SELECT id FROM dealers_dealer WHERE status IN ('active', 'probation')",
    "products": "SELECT id FROM orders_product",
    "lines": "SELECT id FROM orders_productline",
    "doc_types": "SELECT id FROM dealers_documenttype",
}


def _pick_tables() -> list[str]:
    return [
        f"CREATE TEMP TABLE bench_pick_{name} ON COMMIT DROP AS "
        f"SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id FROM ({query}) q;"
        f"ALTER TABLE bench_pick_{name} ADD PRIMARY KEY (n)"
        for name, query in _PICKS.items()
    ]


def _pick_at(name: str, expression: str) -> str:
    """SQL for the row of a pick table at ``expression`` modulo its size. ``expression`` must name a
    column of the row being built, so that the subquery is evaluated for every row."""
    return f"(SELECT id FROM bench_pick_{name} WHERE n = ({expression}) % (SELECT count(*) FROM bench_pick_{name}))"


def _pick(name: str, seed: str) -> str:
    """SQL for a row of a pick table that looks random but follows from ``seed`` (a column expression)."""
    return _pick_at(name, f"abs(hashint4(({seed})::int))")


def _statements(ids: dict[str, int]) -> list[str]:
    """The bulk inserts, in dependency order. ``ids`` holds the few users and the big dealer by key."""
    admin, big = ids["admin"], ids["big_dealer"]
    dealer_admin = ids["dealer_admin"]
    big_share = BIG_DEALER_SHARE
    s = SIZES
    return [
        # Catalogue, warehouses, stock, prices, credit, authorisations.
        """INSERT INTO orders_productline (code, name, name_en, position, is_active)
           SELECT 'line-' || g, '产品线' || g, 'Line ' || g, g, true FROM generate_series(1, 4) g""",
        f"""INSERT INTO orders_product (sku, name, name_en, product_line_id, unit, pack_size, base_price, vat_rate,
             weight_kg, volume_m3, is_active, image, created_at, updated_at)
           SELECT 'SKU' || lpad(g::text, 5, '0'), '产品' || g, 'Product ' || g,
             (SELECT id FROM orders_productline ORDER BY id OFFSET (g % 4) LIMIT 1),
             (ARRAY['piece', 'set', 'box', 'carton'])[1 + g % 4], 1 + (g % 3) * 5,
             round((50 + random() * 5000)::numeric, 2), 0.130, round((random() * 40)::numeric, 3),
             round((random() * 0.5)::numeric, 4), g % 25 <> 0, '', now(), now()
           FROM generate_series(1, {s["products"]}) g""",
        """INSERT INTO orders_warehouse (code, name, name_en, region_id, address, priority, is_active)
           SELECT 'WH' || g, '仓库' || g, 'Warehouse ' || g,
             (SELECT id FROM dealers_region WHERE code = (ARRAY['330100', '440100', '510100'])[g]), '', g * 10, true
           FROM generate_series(1, 3) g""",
        *_pick_tables(),
        """INSERT INTO orders_stocklevel (warehouse_id, product_id, on_hand, reserved, updated_at)
           SELECT w.id, pr.id, 1000 + (random() * 9000)::int, 0, now() FROM orders_warehouse w, orders_product pr""",
        """INSERT INTO orders_pricelist (name, kind, tier, dealer_id, valid_from, valid_until, created_at)
           SELECT 'Tier ' || t, 'tier', t, NULL, current_date - 365, NULL, now()
           FROM unnest(ARRAY['A', 'B', 'C', 'D']) t""",
        """INSERT INTO orders_pricelistitem (price_list_id, product_id, price)
           SELECT pl.id, pr.id, round(pr.base_price * (0.80 + 0.05 * (ascii(pl.tier) - 65)), 2)
           FROM orders_pricelist pl, orders_product pr""",
        f"""INSERT INTO orders_creditaccount (dealer_id, credit_limit, default_warehouse_id, updated_at)
           SELECT d.id, (ARRAY[200000, 500000, 1000000, 5000000])[1 + d.id % 4],
             (SELECT id FROM orders_warehouse ORDER BY id OFFSET (d.id % 3) LIMIT 1), now()
           FROM dealers_dealer d WHERE d.id <> {big}
           UNION ALL SELECT {big}, 100000000, (SELECT min(id) FROM orders_warehouse), now()""",
        f"""INSERT INTO orders_dealerauthorization (dealer_id, product_line_id, valid_from, valid_until, created_at)
           SELECT d.id, l.id, current_date - 400, NULL, now()
           FROM dealers_dealer d JOIN orders_productline l ON (d.id + l.id) % 3 <> 0 OR d.id = {big}""",
        # Contacts, documents, applications.
        """INSERT INTO dealers_dealercontact (dealer_id, name, title, phone, email, is_primary)
           SELECT d.id, '联系人' || d.id || '-' || k, (ARRAY['总经理', '采购', '财务'])[k],
             '13' || (8 - k) || lpad((d.id * 10 + k)::text, 8, '0'), 'c' || d.id || '-' || k || '@example.cn', k = 1
           FROM dealers_dealer d, generate_series(1, 2) k""",
        f"""INSERT INTO dealers_qualificationdocument (dealer_id, doc_type_id, file, original_name, content_type, size,
             sha256, number, issued_on, expires_on, status, uploaded_by_id, uploaded_at, reviewed_by_id, reviewed_at,
             rejection_reason, expiry_notices)
           SELECT d.id, (SELECT id FROM bench_pick_doc_types WHERE n = k - 1),
             'dealer-documents/' || d.id || '/' || md5(d.id || '-' || k), 'licence.pdf',
             'application/pdf', 100000 + d.id, md5(d.id || 'a' || k) || md5(d.id || 'b' || k), 'NO' || d.id || k,
             current_date - 700 + (d.id % 300)::int, current_date + (d.id % 700)::int - 60,
             x.status, {admin}, now() - (d.id % 600) * interval '1 day',
             CASE WHEN x.status = 'pending' THEN NULL ELSE {admin} END,
             CASE WHEN x.status = 'pending' THEN NULL ELSE now() - (d.id % 500) * interval '1 day' END,
             CASE WHEN x.status = 'rejected' THEN '不清晰' ELSE '' END, '[]'::jsonb
           FROM dealers_dealer d, generate_series(1, 2) k,
             LATERAL (SELECT CASE WHEN (d.id + k) % 10 = 0 THEN 'pending'
                                  WHEN (d.id + k) % 17 = 0 THEN 'rejected' ELSE 'verified' END AS status) x""",
        f"""INSERT INTO dealers_dealerapplication (company_name, legal_name, uscc, registered_capital, founded_year,
             product_lines_wanted, warehouse_area, sales_team_size, years_in_industry, current_brands, channels,
             annual_revenue_band, contact_name, contact_phone, contact_email, status, source, info_request,
             decision_reason, reviewer_id, dealer_id, submitted_at, decided_at)
           SELECT '申请公司' || g, '申请公司' || g || '有限公司', u.code,
             round((100 + random() * 5000)::numeric, 2), 1990 + g % 34, 'line-1', (random() * 5000)::int,
             (random() * 50)::int, g % 30, '', '', (ARRAY['lt5m', '5m-20m', '20m-100m', 'gt100m'])[1 + g % 4],
             '申请人' || g, '137' || lpad(g::text, 8, '0'), 'apply' || g || '@example.cn', x.status,
             (ARRAY['public', 'api', 'hq'])[1 + g % 3], '', '',
             CASE WHEN x.status IN ('approved', 'rejected') THEN {admin} END, NULL,
             now() - (g % 700) * interval '1 day' - g * interval '1 minute',
             CASE WHEN x.status IN ('approved', 'rejected') THEN now() - (g % 600) * interval '1 day' END
           FROM generate_series(1, {s["applications"]}) g JOIN bench_uscc u ON u.n = g,
             LATERAL (SELECT (ARRAY['submitted', 'under_review', 'needs_info', 'approved', 'rejected',
                                    'approved', 'rejected', 'rejected'])[1 + g % 8] AS status) x""",
        f"""INSERT INTO dealers_dealerapplication_regions_wanted (dealerapplication_id, region_id)
           SELECT a.id, {_pick("regions", "a.id")} FROM dealers_dealerapplication a""",
        # Orders: 2–5 lines each, a tenth for the big dealer, statuses as a year of trading leaves them.
        f"""INSERT INTO orders_order (number, dealer_id, status, created_by_id, ship_to_address, ship_to_region_id,
             requested_delivery_date, note, net_amount, vat_amount, gross_amount, approval_reasons, decision_reason,
             credit_override, decided_by_id, submitted_at, decided_at, shipped_at, delivered_at, completed_at,
             cancelled_at, created_at, updated_at)
           SELECT 'SO-' || to_char(o.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-'
               || lpad(o.g::text, 6, '0'),
             o.dealer_id, o.status, CASE WHEN o.dealer_id = {big} THEN {dealer_admin} ELSE {admin} END, '收货地址',
             d.region_id, (o.created_at + interval '7 days')::date, '', 0, 0, 0,
             CASE WHEN o.status = 'pending_approval' THEN jsonb_build_array(jsonb_build_object(
               'code', 'large_order', 'amount', '600000.00', 'threshold', 500000)) ELSE '[]'::jsonb END,
             CASE WHEN o.status = 'rejected' THEN '超出额度' ELSE '' END, false,
             CASE WHEN o.status NOT IN ('draft', 'submitted', 'pending_approval', 'cancelled') THEN {admin} END,
             CASE WHEN o.status <> 'draft' THEN o.created_at + interval '10 minutes' END,
             CASE WHEN o.status NOT IN ('draft', 'submitted', 'pending_approval', 'cancelled')
                  THEN o.created_at + interval '2 hours' END,
             CASE WHEN o.status IN ('shipped', 'delivered', 'completed') THEN o.created_at + interval '2 days' END,
             CASE WHEN o.status IN ('delivered', 'completed') THEN o.created_at + interval '5 days' END,
             CASE WHEN o.status = 'completed' THEN o.created_at + interval '40 days' END,
             CASE WHEN o.status = 'cancelled' THEN o.created_at + interval '1 day' END,
             o.created_at, o.created_at
           FROM (
             SELECT g, CASE WHEN random() < {big_share} THEN {big} ELSE {_pick("trading", "g")} END AS dealer_id,
               t.created_at,
               CASE WHEN t.created_at < now() - interval '60 days'
                 THEN (ARRAY['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed',
                             'delivered', 'rejected', 'cancelled'])[1 + floor(random() * 10)::int]
                 ELSE (ARRAY['draft', 'submitted', 'pending_approval', 'pending_approval', 'approved', 'approved',
                             'approved', 'shipped', 'shipped', 'delivered', 'delivered', 'rejected', 'cancelled'])
                        [1 + floor(random() * 13)::int]
               END AS status
             FROM generate_series(1, {s["orders"]}) g,
               LATERAL (SELECT now() - random() * interval '365 days' + g * interval '0' AS created_at) t
           ) o JOIN dealers_dealer d ON d.id = o.dealer_id
           ORDER BY o.created_at""",
        f"""INSERT INTO orders_orderline (order_id, product_id, quantity, unit_price, vat_rate, net_amount, vat_amount,
             gross_amount, shipped_quantity)
           SELECT l.order_id, pr.id, l.quantity, pr.base_price, pr.vat_rate,
             round(pr.base_price * l.quantity / (1 + pr.vat_rate), 2),
             pr.base_price * l.quantity - round(pr.base_price * l.quantity / (1 + pr.vat_rate), 2),
             pr.base_price * l.quantity,
             CASE WHEN l.status IN ('shipped', 'delivered', 'completed') THEN l.quantity ELSE 0 END
           FROM (
             SELECT o.id AS order_id, o.status, {_pick_at("products", "o.id * 37 + k * 53")} AS product_id,
               1 + (o.id * k) % 20 AS quantity
             FROM orders_order o, generate_series(0, 1 + o.id % 4) k
           ) l JOIN orders_product pr ON pr.id = l.product_id""",
        """UPDATE orders_order o SET net_amount = t.net, vat_amount = t.vat, gross_amount = t.gross
           FROM (SELECT order_id, sum(net_amount) net, sum(vat_amount) vat, sum(gross_amount) gross
                 FROM orders_orderline GROUP BY order_id) t
           WHERE t.order_id = o.id""",
        """INSERT INTO orders_invoice (number, dealer_id, order_id, net_amount, vat_amount, gross_amount, paid_amount,
             status, issued_on, due_on, paid_on, created_at)
           SELECT 'INV-' || to_char(o.shipped_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-'
               || lpad(o.id::text, 6, '0'),
             o.dealer_id, o.id, o.net_amount, o.vat_amount, o.gross_amount,
             CASE WHEN o.status = 'completed' THEN o.gross_amount
                  WHEN o.status = 'delivered' AND o.id % 2 = 0 THEN round(o.gross_amount / 2, 2) ELSE 0 END,
             CASE WHEN o.status = 'completed' THEN 'paid'
                  WHEN o.status = 'delivered' AND o.id % 2 = 0 THEN 'partially_paid' ELSE 'open' END,
             o.shipped_at::date, o.shipped_at::date + 30,
             CASE WHEN o.status = 'completed' THEN o.shipped_at::date + 25 END, o.shipped_at
           FROM orders_order o WHERE o.status IN ('shipped', 'delivered', 'completed')""",
        # One shipment per invoice, from the dealer's default warehouse, by the own fleet, with its lines.
        """INSERT INTO logistics_shipment (number, order_id, dealer_id, warehouse_id, status, mode, tracking_number,
             ship_to_address, requested_date, window_opens, window_closes, weight_kg, volume_m3, invoice_id, note,
             created_at, dispatched_at, delivered_at, received_by, delivery_note, delivery_photo,
             delivery_photo_type, delivery_photo_sha256)
           SELECT 'SH-' || substr(i.number, 5), i.order_id, i.dealer_id, ca.default_warehouse_id,
             CASE WHEN o.status = 'shipped' THEN 'in_transit' ELSE 'delivered' END, 'own_fleet', '',
             d.address, o.shipped_at::date + 1, '09:00', '17:00', 0, 0, i.id, '',
             o.shipped_at, o.shipped_at, o.delivered_at, '', '', '', '', ''
           FROM orders_invoice i JOIN orders_order o ON o.id = i.order_id
             JOIN dealers_dealer d ON d.id = i.dealer_id JOIN orders_creditaccount ca ON ca.dealer_id = i.dealer_id""",
        """INSERT INTO logistics_shipmentline (shipment_id, order_line_id, product_id, quantity, quantity_received)
           SELECT s.id, l.id, l.product_id, l.quantity, CASE WHEN s.status = 'delivered' THEN l.quantity END
           FROM logistics_shipment s JOIN orders_orderline l ON l.order_id = s.order_id""",
        """INSERT INTO logistics_trackingevent (shipment_id, status, occurred_at, recorded_at, location, note,
             external_id)
           SELECT s.id, e.status, e.at, e.at, '', '', ''
           FROM logistics_shipment s, LATERAL (VALUES ('dispatched', s.dispatched_at),
             ('in_transit', s.dispatched_at + interval '6 hours'), ('delivered', s.delivered_at)) e(status, at)
           WHERE e.at IS NOT NULL""",
        # One delivered shipment in twenty came with a claim for a unit of its first line; a third of them decided.
        """INSERT INTO logistics_deliveryclaim (number, shipment_id, order_id, dealer_id, kind, status, description,
             photo, photo_type, photo_sha256, value, opened_at, resolved_at, resolution_reason)
           SELECT 'CL-' || substr(s.number, 4), s.id, s.order_id, s.dealer_id,
             CASE WHEN s.id % 40 = 0 THEN 'damage' ELSE 'shortage' END,
             CASE WHEN s.id % 3 = 0 THEN 'rejected' ELSE 'open' END, '', '', '', '', 100,
             s.delivered_at + interval '1 day', CASE WHEN s.id % 3 = 0 THEN s.delivered_at + interval '3 days' END,
             CASE WHEN s.id % 3 = 0 THEN '签收单无异常' ELSE '' END
           FROM logistics_shipment s WHERE s.status = 'delivered' AND s.id % 20 = 0""",
        """INSERT INTO logistics_claimline (claim_id, shipment_line_id, product_id, quantity)
           SELECT c.id, l.id, l.product_id, 1 FROM logistics_deliveryclaim c, LATERAL (
             SELECT id, product_id FROM logistics_shipmentline WHERE shipment_id = c.shipment_id ORDER BY id LIMIT 1
           ) l""",
        f"""INSERT INTO orders_payment (dealer_id, amount, unallocated_amount, received_on, reference, method, note,
             recorded_by_id, created_at)
           SELECT i.dealer_id, i.paid_amount, 0, coalesce(i.paid_on, i.issued_on + 20),
             'BT' || lpad(i.id::text, 8, '0'),
             (ARRAY['bank_transfer', 'bank_transfer', 'bank_acceptance', 'cash'])[1 + i.id % 4], '', {admin},
             i.created_at + interval '20 days'
           FROM orders_invoice i WHERE i.paid_amount > 0 ORDER BY i.id""",
        """INSERT INTO orders_paymentallocation (payment_id, invoice_id, amount, created_at)
           SELECT pay.id, i.id, pay.amount, pay.created_at
           FROM orders_payment pay JOIN orders_invoice i ON 'BT' || lpad(i.id::text, 8, '0') = pay.reference""",
        # Leads, their assignments and follow-ups, rules, sources, imports, registrations.
        """INSERT INTO leads_leadsource (name, code, key_hash, is_active, created_at)
           SELECT '来源' || g, 'source-' || g, encode(sha256(('bench-source-' || g)::bytea), 'hex'), g <> 5, now()
           FROM generate_series(1, 5) g""",
        f"""INSERT INTO leads_assignmentrule (name, region_id, product_line_id, strategy, accept_minutes, weight_tier,
             weight_distance, weight_load, weight_fairness, priority, is_active)
           SELECT '规则' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE {_pick_at("regions", "g * 7")} END,
             CASE WHEN g % 2 = 0 THEN {_pick_at("lines", "g")} END,
             (ARRAY['weighted', 'round_robin', 'manual'])[1 + g % 3], 60 * (1 + g % 48), 30, 30, 20, 20, g, g % 7 <> 0
           FROM generate_series(1, 30) g""",
        f"""INSERT INTO leads_leadimport (created_by_id, file, file_name, file_size, language, status, total_rows,
             processed_rows, created_count, duplicate_count, error_count, errors, failure, created_at, started_at,
             finished_at, updated_at)
           SELECT {admin}, 'lead-imports/' || md5(g::text), 'leads-' || g || '.xlsx', 20000 + g, 'zh-hans',
             CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'done' END, 500, 500, 480, 15, 5, '[]'::jsonb, '',
             now() - g * interval '3 days', now() - g * interval '3 days', now() - g * interval '3 days', now()
           FROM generate_series(1, 40) g""",
        f"""INSERT INTO leads_lead (contact_name, phone, email, company, company_key, region_id, address,
             product_line_id, estimated_value, source, source_site_id, message, consent, consent_at, consent_purpose,
             status, won_amount, lost_reason, closed_at, unassigned_reason, touches, last_touch_at, created_by_id,
             created_at, updated_at)
           SELECT '客户' || l.g, '139' || lpad(l.g::text, 8, '0'), 'lead' || l.g || '@example.cn', '客户公司' || l.g,
             '客户公司' || l.g, {_pick("regions", "l.g")}, '', {_pick("lines", "l.g + 7")},
             round((1000 + random() * 200000)::numeric, 2),
             l.source, CASE WHEN l.source = 'api' THEN (SELECT min(id) FROM leads_leadsource) END, '', true,
             l.created_at, '产品咨询', l.status,
             CASE WHEN l.status = 'won' THEN round((1000 + random() * 100000)::numeric, 2) END,
             CASE WHEN l.status = 'lost' THEN '价格' ELSE '' END,
             CASE WHEN l.status IN ('won', 'lost') THEN l.created_at + interval '20 days' END,
             CASE WHEN l.status = 'unassigned' THEN 'no_candidate' ELSE '' END, 1, l.created_at, NULL, l.created_at,
             l.created_at
           FROM (
             SELECT g, now() - random() * interval '365 days' AS created_at,
               (ARRAY['web', 'hotline', 'exhibition', 'campaign', 'referral', 'api', 'import', 'manual'])
                 [1 + floor(random() * 8)::int] AS source,
               (ARRAY['new', 'unassigned', 'assigned', 'assigned', 'assigned', 'accepted', 'accepted', 'accepted',
                      'accepted', 'contacted', 'contacted', 'contacted', 'contacted', 'qualified', 'qualified', 'won',
                      'won', 'lost', 'lost', 'lost'])[1 + floor(random() * 20)::int] AS status
             FROM generate_series(1, {s["leads"]}) g ORDER BY 2
           ) l""",
        f"""INSERT INTO leads_assignment (lead_id, dealer_id, rule_id, status, deadline, decision, assigned_by_id,
             override_reason, response_reason, assigned_at, responded_at, reminded_at, escalated_at)
           SELECT a.lead_id, a.dealer_id, NULL, a.status, a.assigned_at + interval '1 day',
             jsonb_build_object('score', round((random() * 100)::numeric, 1)), NULL, '',
             CASE WHEN a.status = 'declined' THEN '太远' ELSE '' END, a.assigned_at,
             CASE WHEN a.status <> 'offered' THEN a.assigned_at + interval '3 hours' END, NULL, NULL
           FROM (
             SELECT ld.id AS lead_id,
               CASE WHEN random() < {big_share} THEN {big} ELSE {_pick("trading", "ld.id")} END AS dealer_id,
               CASE WHEN ld.status = 'assigned' THEN 'offered' ELSE 'accepted' END AS status,
               ld.created_at + interval '5 minutes' AS assigned_at
             FROM leads_lead ld
             WHERE ld.status NOT IN ('new', 'unassigned')
             UNION ALL
             SELECT ld.id, {_pick("trading", "ld.id + 17")}, 'declined', ld.created_at + interval '1 minute'
             FROM leads_lead ld WHERE ld.status NOT IN ('new', 'unassigned') AND ld.id % 10 = 3
           ) a ORDER BY a.assigned_at""",
        f"""INSERT INTO leads_followup (lead_id, dealer_id, author_id, kind, note, next_action_on, created_at)
           SELECT a.lead_id, a.dealer_id, CASE WHEN a.dealer_id = {big} THEN {dealer_admin} END,
             (ARRAY['call', 'visit', 'quote', 'note'])[1 + a.lead_id % 4], '电话沟通',
             (a.assigned_at + interval '7 days')::date, a.assigned_at + interval '1 day'
           FROM leads_assignment a JOIN leads_lead ld ON ld.id = a.lead_id
           WHERE a.status = 'accepted' AND ld.status IN ('contacted', 'qualified', 'won', 'lost')
           ORDER BY a.assigned_at""",
        f"""INSERT INTO leads_dealregistration (dealer_id, customer_company, customer_key, customer_uscc,
             customer_phone, product_line_id, expected_value, expected_close_on, status, clashes, protected_until,
             decision_reason, decided_by_id, decided_at, created_by_id, created_at)
           SELECT r.dealer_id, '报备客户' || r.g, '报备客户' || r.g, '', '', {_pick("lines", "r.g")},
             round((10000 + random() * 500000)::numeric, 2), (r.created_at + interval '90 days')::date, r.status,
             '[]'::jsonb, CASE WHEN r.status = 'approved' THEN (r.created_at + interval '90 days')::date END, '',
             CASE WHEN r.status IN ('approved', 'rejected') THEN {admin} END,
             CASE WHEN r.status IN ('approved', 'rejected') THEN r.created_at + interval '1 day' END,
             CASE WHEN r.dealer_id = {big} THEN {dealer_admin} END, r.created_at
           FROM (
             SELECT g, CASE WHEN random() < {big_share} THEN {big} ELSE {_pick("trading", "g")} END AS dealer_id,
               (ARRAY['submitted', 'approved', 'approved', 'rejected', 'expired'])
                 [1 + floor(random() * 5)::int] AS status,
               now() - random() * interval '365 days' AS created_at
             FROM generate_series(1, {s["registrations"]}) g ORDER BY 4
           ) r""",
        # The event log: what creating and running all of the above would have recorded.
        _EVENTS,
        f"""INSERT INTO events_notification (recipient_id, event_id, created_at, read_at, emailed_at)
           SELECT {admin}, e.id, e.created_at,
             CASE WHEN e.id % 5 < 3 THEN e.created_at + interval '2 hours' END, NULL
           FROM events_event e WHERE e.verb = 'orders.order_pending_approval'
           ORDER BY e.id DESC LIMIT {s["notifications"]}""",
        f"""INSERT INTO events_notification (recipient_id, event_id, created_at, read_at, emailed_at)
           SELECT {dealer_admin}, e.id, e.created_at,
             CASE WHEN e.id % 5 < 3 THEN e.created_at + interval '2 hours' END, NULL
           FROM events_event e WHERE e.dealer_id = {big} AND e.verb IN ('orders.order_approved', 'leads.lead_assigned')
           ORDER BY e.id DESC LIMIT 2000""",
    ]


# 200,000 events in time order: two or three per order, one or two per lead, a few per dealer.
_EVENTS = """
INSERT INTO events_event (actor_id, verb, target_type_id, target_id, target_repr, dealer_id, data, notify, created_at,
  published_at)
SELECT e.actor_id, e.verb, e.target_type_id, e.target_id, e.target_repr, e.dealer_id, '{}'::jsonb, '[]'::jsonb,
  e.created_at, e.created_at
FROM (
  SELECT o.created_by_id AS actor_id, v.verb, %(order_type)s AS target_type_id, o.id::text AS target_id,
    o.number AS target_repr, o.dealer_id, o.created_at + v.after AS created_at
  FROM orders_order o
  JOIN (VALUES ('orders.order_created', interval '0', 0), ('orders.order_submitted', interval '10 minutes', 1),
               ('orders.order_pending_approval', interval '11 minutes', 2),
               ('orders.order_approved', interval '2 hours', 3)) v(verb, after, step)
    ON v.step = 0 OR (v.step = 1 AND o.status <> 'draft')
       OR (v.step = 2 AND o.id %% 3 = 0 AND o.status NOT IN ('draft', 'submitted'))
       OR (v.step = 3 AND o.decided_at IS NOT NULL)
  UNION ALL
  SELECT NULL, v.verb, %(lead_type)s, ld.id::text, 'L' || lpad(ld.id::text, 6, '0'),
    CASE WHEN v.step = 1 THEN a.dealer_id END,
    ld.created_at + v.after
  FROM leads_lead ld
  LEFT JOIN leads_assignment a ON a.lead_id = ld.id AND a.status IN ('offered', 'accepted')
  JOIN (VALUES ('leads.lead_created', interval '0', 0), ('leads.lead_assigned', interval '5 minutes', 1))
    v(verb, after, step) ON v.step = 0 OR a.id IS NOT NULL
  UNION ALL
  SELECT %(admin)s, (ARRAY['dealers.dealer_created', 'dealers.dealer_updated', 'dealers.dealer_updated'])[1 + k %% 3],
    %(dealer_type)s, d.id::text, d.name || ' (' || d.code || ')', d.id,
    now() - (d.id %% 700 + k * 30) * interval '1 hour'
  FROM dealers_dealer d, generate_series(0, 2) k
) e
ORDER BY e.created_at
"""


@contextmanager
def _indexes_set_aside(tables: list[str]):
    """Drop the indexes of these tables that back no constraint, and create them again on the way out:
    building an index over the finished table is much faster than growing it row by row. Inside the
    build's transaction, so a failure leaves them as they were; a partial unique index (one open
    assignment per lead) is checked when it is created again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def build() -> BenchData:
    """Wipe the benchmark tables and build the data again from the seed."""
    from django.contrib.contenttypes.models import ContentType

    from dealers.models import Dealer, Region
    from dms.accounts import services as account_services
    from dms.accounts.models import Role, User
    from dms.events.services import events_publish
    from leads.models import Lead
    from orders.models import Order

    ensure_bench_database()
    with transaction.atomic():
        wipe()
        people = _people()
        admin = people["admin"]
        reps = User.objects.bulk_create(
            User(
                username=f"bench-rep-{i:02d}",
                role=Role.SALES_REP,
                first_name=f"Rep{i:02d}",
                last_name="Bench",
                password="!",
            )
            for i in range(1, SIZES["reps"] + 1)
        )
        provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
        Region.assigned_users.through.objects.bulk_create(
            Region.assigned_users.through(region_id=provinces[i % len(provinces)].pk, user_id=rep.pk)
            for i, rep in enumerate(reps)
        )
        region_ids = list(
            Region.objects.filter(level__in=[Region.Level.CITY, Region.Level.DISTRICT]).values_list("pk", flat=True)
        )
        owner_ids = [rep.pk for rep in reps] + [people["rep"].pk, people["staff"].pk]
        big_region = Region.objects.get(code=BIG_DEALER_REGION)
        _copy(
            Dealer._meta.db_table,
            [
                "code",
                "name",
                "legal_name",
                "uscc",
                "status",
                "tier",
                "region_id",
                "address",
                "owner_id",
                "payment_terms_days",
                "lead_capacity",
                "joined_on",
                "created_at",
                "updated_at",
            ],
            _dealer_rows(owner_ids, region_ids, big_region.pk),
        )
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_uscc (n integer PRIMARY KEY, code text) ON COMMIT DROP")
        _copy("bench_uscc", ["n", "code"], _application_codes())
        big_dealer_id = Dealer.objects.get(code="D00001").pk
        people.update(_dealer_people(admin, big_dealer_id))
        User.objects.bulk_create(
            User(
                username=f"dealer-{dealer_id:05d}",
                role=Role.DEALER_ADMIN,
                dealer_id=dealer_id,
                first_name="Dealer",
                last_name=f"{dealer_id:05d}",
                password="!",
            )
            for dealer_id in Dealer.objects.exclude(pk=big_dealer_id)
            .order_by("pk")
            .values_list("pk", flat=True)[: SIZES["dealer_admins"]]
        )
        ids = {
            "admin": admin.pk,
            "big_dealer": big_dealer_id,
            "dealer_admin": people["dealer_admin"].pk,
        }
        types = ContentType.objects.get_for_models(Order, Lead, Dealer)
        with connection.cursor() as cursor:
            # Check the foreign keys of the rows written so far now: an index cannot be created on a
            # table with checks still pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with connection.cursor() as cursor, _indexes_set_aside(BULK_TABLES):
            # Every foreign key below is satisfied by construction; skipping the per-row checks (the
            # constraint triggers) for this transaction makes the build several times faster.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SELECT setseed(%s)", [SEED])
            for statement in _statements(ids):
                if statement is _EVENTS:
                    cursor.execute(
                        statement,
                        {
                            "order_type": types[Order].pk,
                            "lead_type": types[Lead].pk,
                            "dealer_type": types[Dealer].pk,
                            "admin": admin.pk,
                        },
                    )
                else:
                    cursor.execute(statement)
    # token_create commits its own event; the outbox is then published as the beat task would.
    tokens = {
        key: account_services.token_create(user=people[key], name=TOKEN_NAME, expires_in_days=366)[1]
        for key in ("admin", "rep", "dealer_admin")
    }
    events_publish()
    # Fresh planner statistics, so the first run after a build plans queries like every later one.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    data = BenchData(
        fingerprint=fingerprint(),
        usernames={key: user.username for key, user in people.items()},
        tokens=tokens,
        big_dealer_id=big_dealer_id,
        counts=_counts(),
    )
    _save(data)
    return data


def samples(data: BenchData) -> dict[str, int]:
    """Rows that scenario paths name in braces: a lead of the big dealer with a follow-up, and a delivered
    shipment with its journey."""
    from leads.models import FollowUp
    from logistics.models import Shipment

    lead = FollowUp.objects.filter(dealer_id=data.big_dealer_id).order_by("lead_id").values_list("lead_id", flat=True)
    shipment = Shipment.objects.filter(dealer_id=data.big_dealer_id, status=Shipment.Status.DELIVERED)
    return {"lead": lead.first(), "shipment": shipment.order_by("id").values_list("id", flat=True).first()}
