"""Create the demo: one user per role with known passwords, and some history to look at.

Safe to run again: what exists is left alone. Refuses when DJANGO_DEBUG=0 unless --force.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dms import events
from dms.accounts import services, verbs
from dms.accounts.models import Role, User
from dms.events.services import events_publish

DEMO_PASSWORD = "dms-demo-2026"
DEMO_DEALER_ID = 1

DEMO_USERS = [
    # username, role, first name, last name, email, dealer id
    ("admin", Role.HQ_ADMIN, "立", "王", "admin@dms.local", None),
    ("hq", Role.HQ_STAFF, "敏", "李", "hq@dms.local", None),
    ("rep", Role.SALES_REP, "强", "张", "rep@dms.local", None),
    ("dealer", Role.DEALER_ADMIN, "芳", "陈", "dealer@dms.local", DEMO_DEALER_ID),
    ("dealerstaff", Role.DEALER_STAFF, "伟", "刘", "dealerstaff@dms.local", DEMO_DEALER_ID),
]


class Command(BaseCommand):
    help = "Seed demo users (one per role) and demo history. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DJANGO_DEBUG=0.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with known passwords; it refuses with DJANGO_DEBUG=0.")
        with transaction.atomic():
            admin = self._seed_users()
            self._seed_history(admin)
        events_publish()
        self._print_logins()

    def _seed_users(self) -> User:
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User(username="admin", role=Role.HQ_ADMIN, first_name="立", last_name="王", email="admin@dms.local")
            admin.is_staff = admin.is_superuser = True
            admin.set_password(DEMO_PASSWORD)
            admin.save()
            events.record(actor=None, verb=verbs.USER_CREATED.code, target=admin, data={"role": admin.role})
        for username, role, first, last, email, dealer_id in DEMO_USERS[1:]:
            if User.objects.filter(username=username).exists():
                continue
            services.user_create(
                actor=admin,
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=email,
                dealer_id=dealer_id,
            )
        return admin

    def _seed_history(self, admin: User) -> None:
        if admin.api_tokens.filter(name="ERP").exists():
            return
        services.token_create(user=admin, name="ERP", expires_in_days=365)
        hq = User.objects.get(username="hq")
        services.user_update(actor=admin, user=hq, phone="021-62345678")

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
        self.stdout.write(f"  {'username':<12} {'password':<15} role")
        for username, role, *_rest in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {DEMO_PASSWORD:<15} {role} ({Role(role).label})")
