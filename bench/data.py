"""Reproducible benchmark data: a fixed seed, wiped and recreated on every run.

Users and the API token go through the project's services so that they look exactly like real
ones (events recorded in the same transaction, the outbox published). The bulk of the event log
and the inbox is written with ``bulk_create``: 20k events through ``events.record`` would take
minutes, and the read paths being measured only care that the rows exist and are shaped alike.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

from dealers.models import Dealer
from dms import events
from dms.accounts import services as account_services
from dms.accounts import verbs as account_verbs
from dms.accounts.models import ApiToken, Role, User
from dms.api.models import IdempotencyKey
from dms.events.models import Event, Notification, NotificationPreference
from dms.events.services import events_publish

SEED = 20260101
USERS = 40
EVENTS = 20_000
NOTIFICATIONS = 2_000
HISTORY_DAYS = 90
DEALERS = 12
BATCH_SIZE = 2_000

ADMIN_USERNAME = "bench-admin"
TOKEN_NAME = "bench"

# Weighted so that the filtered scenario (accounts.user_created) selects a realistic minority.
VERB_WEIGHTS = [
    (account_verbs.USER_CREATED.code, 20),
    (account_verbs.USER_UPDATED.code, 35),
    (account_verbs.USER_DEACTIVATED.code, 5),
    (account_verbs.USER_REACTIVATED.code, 3),
    (account_verbs.PASSWORD_CHANGED.code, 15),
    (account_verbs.TOKEN_CREATED.code, 10),
    (account_verbs.TOKEN_REVOKED.code, 5),
    (account_verbs.LOCKED_OUT.code, 7),
]

# Every table the generator fills, plus what requests write (sessions, idempotency keys).
WIPED_MODELS = [Notification, NotificationPreference, Event, IdempotencyKey, ApiToken, Session, Dealer, User]


@dataclass(frozen=True)
class BenchData:
    admin: User
    token_key: str
    users: int
    events: int
    notifications: int


def ensure_bench_database() -> None:
    """Refuse to wipe anything but a database whose name says it belongs to the benchmark."""
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not str(name).endswith("_bench"):
        raise RuntimeError(f"bench data may only be written to a PostgreSQL *_bench database, not {name!r}")


def wipe() -> None:
    # TRUNCATE ... RESTART IDENTITY gives the same primary keys on every run, so plans and page
    # contents match between runs; CASCADE also clears tables that point at users (admin log, groups).
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in WIPED_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def _create_dealers(admin: User) -> list[int]:
    """Real dealers for the dealer users to belong to (in Hangzhou, valid unified credit codes)."""
    from dealers.models import Region
    from dealers.services import dealer_create
    from dealers.validators import uscc_check_char

    hangzhou = Region.objects.get(code="330100")
    ids = []
    for i in range(DEALERS):
        first17 = f"91330100{i:09d}"
        dealer = dealer_create(
            actor=admin,
            name=f"Bench dealer {i}",
            legal_name=f"Bench dealer {i} Ltd",
            uscc=first17 + uscc_check_char(first17),
            region=hangzhou,
            status="active",
        )
        ids.append(dealer.pk)
    return ids


def _create_users(rng: random.Random) -> tuple[User, list[User]]:
    # The first HQ admin has nobody to create them, so it is bootstrapped the way seed_demo does it.
    admin = User(username=ADMIN_USERNAME, role=Role.HQ_ADMIN, first_name="Bench", last_name="Admin")
    admin.set_unusable_password()
    admin.save()
    events.record(actor=None, verb=account_verbs.USER_CREATED.code, target=admin, data={"role": admin.role})
    users = [admin]
    dealer_ids = _create_dealers(admin)
    roles = list(Role.values)
    for i in range(1, USERS):
        role = rng.choice(roles)
        dealer_id = rng.choice(dealer_ids) if role in (Role.DEALER_ADMIN, Role.DEALER_STAFF) else None
        # No email: an invitation would be mailed on commit for a user created without a password.
        users.append(
            account_services.user_create(
                actor=admin,
                username=f"bench-user-{i:03d}",
                role=role,
                first_name=f"User{i:03d}",
                last_name="Bench",
                dealer_id=dealer_id,
            )
        )
    return admin, users


def _event_rows(rng: random.Random, users: list[User], *, count: int) -> list[Event]:
    user_type = ContentType.objects.get_for_model(User)
    codes = [code for code, _weight in VERB_WEIGHTS]
    weights = [weight for _code, weight in VERB_WEIGHTS]
    # Timestamps are seeded offsets from the current hour, so "last 14 days" on the dashboard
    # always covers the same share of the log however long ago the data was generated.
    anchor = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for _i in range(count):
        verb = rng.choices(codes, weights)[0]
        actor = rng.choice(users) if rng.random() > 0.05 else None
        target = rng.choice(users)
        data = {}
        if verb == account_verbs.LOCKED_OUT.code:
            data["ip_address"] = f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        created_at = anchor - timedelta(seconds=rng.randint(0, HISTORY_DAYS * 86400))
        rows.append(
            Event(
                actor=actor,
                verb=verb,
                target_type=user_type,
                target_id=str(target.pk),
                target_repr=str(target),
                dealer_id=target.dealer_id,
                data=data,
                created_at=created_at,
                published_at=created_at,
            )
        )
    return rows


def _notification_rows(rng: random.Random, admin: User, event_rows: list[Event], *, count: int) -> list[Notification]:
    rows = []
    for event in rng.sample(event_rows, count):
        read_at = event.created_at + timedelta(minutes=rng.randint(1, 600)) if rng.random() < 0.6 else None
        rows.append(Notification(recipient=admin, event=event, created_at=event.created_at, read_at=read_at))
    return rows


def generate(*, event_count: int = EVENTS, notification_count: int = NOTIFICATIONS) -> BenchData:
    """Wipe the benchmark rows and create them again from ``SEED``."""
    ensure_bench_database()
    rng = random.Random(SEED)
    with transaction.atomic():
        wipe()
        admin, users = _create_users(rng)
    # token_create commits its own event; the outbox is then published as the beat task would.
    _token, token_key = account_services.token_create(user=admin, name=TOKEN_NAME, expires_in_days=366)
    events_publish()
    with transaction.atomic():
        event_rows = Event.objects.bulk_create(_event_rows(rng, users, count=event_count), batch_size=BATCH_SIZE)
        Notification.objects.bulk_create(
            _notification_rows(rng, admin, event_rows, count=notification_count), batch_size=BATCH_SIZE
        )
    # Fresh planner statistics, so the first run after a wipe plans queries like every later one.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return BenchData(
        admin=admin,
        token_key=token_key,
        users=User.objects.count(),
        events=Event.objects.count(),
        notifications=Notification.objects.filter(recipient=admin).count(),
    )
