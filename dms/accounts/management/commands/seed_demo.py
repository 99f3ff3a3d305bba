"""Create the demo: head-office users, then each app's demo data, with known passwords.

Every installed app may ship a ``demo`` module with ``seed(*, admin) -> list[str]`` (the usernames
it created); they run in INSTALLED_APPS order, which is the apps' dependency order. Safe to run
again: what exists is left alone. Refuses when DJANGO_DEBUG=0 unless --force.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dms import events
from dms.accounts import services, verbs
from dms.accounts.models import Role, User
from dms.events.services import events_publish

DEMO_PASSWORD = "dms-demo-2026"


class Command(BaseCommand):
    help = "Seed demo users and each app's demo data. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DJANGO_DEBUG=0.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with known passwords; it refuses with DJANGO_DEBUG=0.")
        with transaction.atomic():
            admin = self._seed_head_office()
            usernames = ["admin", "hq"]
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if app_config.name.startswith("django") or find_spec(module_name) is None:
                    continue
                usernames += import_module(module_name).seed(admin=admin)
                self.stdout.write(f"Seeded {app_config.verbose_name}")
            self._seed_history(admin)
        while events_publish():  # each call publishes one batch
            pass
        self._print_logins(usernames)

    def _seed_head_office(self) -> User:
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User(username="admin", role=Role.HQ_ADMIN, first_name="立", last_name="王", email="admin@dms.local")
            admin.is_staff = admin.is_superuser = True
            admin.set_password(DEMO_PASSWORD)
            admin.save()
            events.record(actor=None, verb=verbs.USER_CREATED.code, target=admin, data={"role": admin.role})
        if not User.objects.filter(username="hq").exists():
            services.user_create(
                actor=admin,
                username="hq",
                role=Role.HQ_STAFF,
                password=DEMO_PASSWORD,
                first_name="敏",
                last_name="李",
                email="hq@dms.local",
            )
        return admin

    def _seed_history(self, admin: User) -> None:
        if admin.api_tokens.filter(name="ERP").exists():
            return
        services.token_create(user=admin, name="ERP", expires_in_days=365)
        hq = User.objects.get(username="hq")
        services.user_update(actor=admin, user=hq, phone="021-62345678")

    def _print_logins(self, usernames: list[str]) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
        self.stdout.write(f"  {'username':<12} {'password':<15} role")
        for user in sorted(User.objects.filter(username__in=usernames), key=lambda u: usernames.index(u.username)):
            where = f" · {user.dealer}" if user.dealer_id else ""
            self.stdout.write(
                f"  {user.username:<12} {DEMO_PASSWORD:<15} {user.role} ({user.get_role_display()}){where}"
            )
