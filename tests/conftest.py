"""Shared fixtures: one user per role, API clients, and the PostgreSQL guard."""

import os
from datetime import date, datetime, time
from importlib import import_module
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
import time_machine
from django.db import connection
from django.db.models.signals import post_migrate
from rest_framework.test import APIClient

from dms.accounts.models import Role
from dms.celery import app as celery_app
from tests.factories import PASSWORD, DealerFactory, UserFactory, region

# Tasks run in-process unless a test starts a real worker (tests/platform/test_celery_worker.py).
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


@pytest.fixture(scope="session", autouse=True)
def _calendar_day():
    """``DMS_TEST_DAY=2027-02-28 make test`` runs the whole suite on another calendar day (from 09:30 in
    Shanghai, the clock running), to show that no test passes or fails by the date it runs on."""
    day = os.environ.get("DMS_TEST_DAY")
    if not day:
        yield
        return
    start = datetime.combine(date.fromisoformat(day), time(9, 30), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Test databases need not survive a crash of the server, so a commit does not wait for the disk:
    migrations, transactional tests, the live server and the worker each commit thousands of times."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.postgresql":
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(scope="session", autouse=True)
def _postgresql_only(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit("The suite runs on PostgreSQL: run `make test` or set DATABASE_URL.", returncode=2)


def pytest_collection_modifyitems(items):
    """The seeded demo keeps one worker busy for minutes, so it goes first: started last, it would leave
    the other workers idle at the end while it seeds."""
    items.sort(key=lambda item: (marker := item.get_closest_marker("xdist_group")) is None or marker.args[0] != "demo")


def _reload_reference_data(**kwargs):
    """What the data migrations loaded, loaded again: regions, document types, scorecard criteria and
    the lead desk group. Each loader creates only what is missing."""
    from django.apps import apps

    from dealers.documents import ensure_default_types
    from dealers.regions import load_regions
    from dealers.scorecard import ensure_default_criteria

    load_regions(apps.get_model("dealers", "Region"))
    ensure_default_types(apps.get_model("dealers", "DocumentType"))
    ensure_default_criteria(apps.get_model("dealers", "SelectionCriterion"))
    import_module("leads.migrations.0003_lead_desk_group").create_group(apps, None)


@pytest.fixture(scope="session", autouse=True)
def _reference_data_survives_flushes():
    """A transactional test ends by flushing every table, and then sends ``post_migrate`` as ``migrate``
    does (that is how the permissions come back); the rows the data migrations loaded come back with
    them, so the tests a worker runs after it find the same database as the tests before it."""
    from django.apps import apps

    post_migrate.connect(_reload_reference_data, sender=apps.get_app_config("leads"), dispatch_uid="reference")
    yield
    post_migrate.disconnect(dispatch_uid="reference", sender=apps.get_app_config("leads"))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language; a request in English must not leak into the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache(settings, worker_id):
    """An empty cache per test; the fixture's value empties it again (a test that reads figures cached
    for a minute after changing what they count). On Redis each xdist worker gets its own key prefix
    and deletes only its own keys: clearing the whole database would pull keys from under the other
    worker."""
    from django.core.cache import cache

    default = settings.CACHES["default"]
    if "django_redis" in default["BACKEND"]:
        settings.CACHES = {"default": {**default, "KEY_PREFIX": f"dms-test-{worker_id}"}}

        def empty():
            cache.delete_pattern("*")
    else:
        empty = cache.clear
    empty()
    return empty


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def hq_admin(db):
    return UserFactory(username="boss", role=Role.HQ_ADMIN)


@pytest.fixture
def hq_staff(db):
    return UserFactory(username="desk", role=Role.HQ_STAFF, sees_all_without_regions=True)


@pytest.fixture
def sales_rep(db):
    return UserFactory(username="rep", role=Role.SALES_REP)


@pytest.fixture
def dealer_one(db):
    return DealerFactory(code="D00001", name="杭州一号经销商")


@pytest.fixture
def dealer_two(db):
    return DealerFactory(code="D00002", name="广州二号经销商", region=region("440100"))


@pytest.fixture
def dealer_admin(dealer_one):
    return UserFactory(username="dealer", role=Role.DEALER_ADMIN, dealer=dealer_one)


@pytest.fixture
def dealer_staff(dealer_one):
    return UserFactory(username="dealerstaff", role=Role.DEALER_STAFF, dealer=dealer_one)


@pytest.fixture
def other_dealer_admin(dealer_two):
    return UserFactory(username="otherdealer", role=Role.DEALER_ADMIN, dealer=dealer_two)


@pytest.fixture
def users(hq_admin, hq_staff, sales_rep, dealer_admin, dealer_staff):
    return {
        "hq_admin": hq_admin,
        "hq_staff": hq_staff,
        "sales_rep": sales_rep,
        "dealer_admin": dealer_admin,
        "dealer_staff": dealer_staff,
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client signed in as that user (session), or anonymous for None."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def client_as(client):
    """``client_as(user)``: the Django test client signed in as that user."""

    def make(user):
        from django.test import Client

        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def shop(dealer_one):
    """A small shop for dealer 1: one authorised product line with stock in two warehouses, and credit."""
    from tests.factories.orders import make_shop

    return make_shop(dealer_one)


@pytest.fixture
def desk(hq_staff):
    """HQ staff who may approve and ship orders: the order desk."""
    from tests.factories.orders import grant

    grant(hq_staff, "approve_order", "ship_order")
    return hq_staff
