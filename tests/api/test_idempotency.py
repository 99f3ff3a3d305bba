"""Idempotency-Key: replay returns the first response, another body is 422, a concurrent duplicate 409."""

import threading

import pytest
import time_machine
from django.db import connection
from django.urls import include, path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from dms.accounts.models import User
from dms.accounts.services import user_create
from dms.api.idempotency import idempotency_keys_purge, idempotent
from dms.api.models import IdempotencyKey
from dms.views import HQ_ADMIN

started = threading.Event()
release = threading.Event()


class SlowCreate(APIView):
    """Creates a user, but waits for the test to let it finish, so a duplicate can arrive meanwhile."""

    allowed_roles = HQ_ADMIN

    @idempotent
    def post(self, request):
        started.set()
        release.wait(timeout=10)
        user = user_create(actor=request.user, username=request.data["username"], role="hq_staff")
        return Response({"id": user.pk, "username": user.username}, status=201)


@pytest.fixture
def slow_urls(settings):
    import dms.urls

    settings.ROOT_URLCONF = type(
        "Urls",
        (),
        {"urlpatterns": [path("api/v1/slow/", SlowCreate.as_view()), path("", include(dms.urls.urlpatterns))]},
    )
    started.clear()
    release.clear()


def post_user(client, body, key):
    return client.post("/api/v1/users/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_replay_returns_the_first_status_and_body_without_a_second_write(api_as, hq_admin):
    client = api_as(hq_admin)
    first = post_user(client, {"username": "a1", "role": "hq_staff"}, "key-1")
    replay = post_user(client, {"role": "hq_staff", "username": "a1"}, "key-1")
    assert (first.status_code, first.json()) == (replay.status_code, replay.json())
    assert replay["Idempotent-Replayed"] == "true"
    assert User.objects.filter(username="a1").count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_refused(api_as, hq_admin):
    client = api_as(hq_admin)
    post_user(client, {"username": "a1", "role": "hq_staff"}, "key-1")
    response = post_user(client, {"username": "a2", "role": "hq_staff"}, "key-1")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert not User.objects.filter(username="a2").exists()


@pytest.mark.django_db
def test_keys_are_per_user(api_as, hq_admin):
    other_admin = User.objects.create(username="boss2", role="hq_admin")
    post_user(api_as(hq_admin), {"username": "a1", "role": "hq_staff"}, "key-1")
    response = post_user(api_as(other_admin), {"username": "a2", "role": "hq_staff"}, "key-1")
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_failed_request_does_not_burn_the_key(api_as, hq_admin, dealer_one):
    client = api_as(hq_admin)
    failed = post_user(client, {"username": "d1", "role": "dealer_staff"}, "key-1")
    assert failed.status_code == 422
    assert not IdempotencyKey.objects.exists()
    fixed = post_user(client, {"username": "d1", "role": "dealer_staff", "dealer": dealer_one.pk}, "key-1")
    assert fixed.status_code == 201


@pytest.mark.django_db
def test_keys_live_twenty_four_hours(api_as, hq_admin):
    client = api_as(hq_admin)
    post_user(client, {"username": "a1", "role": "hq_staff"}, "key-1")
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=25)):
        response = post_user(client, {"username": "a2", "role": "hq_staff"}, "key-1")
        assert response.status_code == 201
        assert idempotency_keys_purge() == 0
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=50)):
        assert idempotency_keys_purge() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "ключ"])
def test_malformed_keys_are_refused(api_as, hq_admin, key):
    response = post_user(api_as(hq_admin), {"username": "a1", "role": "hq_staff"}, key)
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_invalid"


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_gets_409_and_only_one_object_is_created(slow_urls, hq_admin):
    results = {}

    def first_request():
        client = APIClient()
        client.force_authenticate(hq_admin)
        results["first"] = client.post("/api/v1/slow/", {"username": "c1"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
        connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    assert started.wait(timeout=10)
    duplicate = APIClient()
    duplicate.force_authenticate(hq_admin)
    concurrent = duplicate.post("/api/v1/slow/", {"username": "c1"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    release.set()
    thread.join(timeout=20)

    assert concurrent.status_code == 409
    assert concurrent.json()["code"] == "idempotency_request_in_progress"
    assert results["first"].status_code == 201
    replay = duplicate.post("/api/v1/slow/", {"username": "c1"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert replay.status_code == 201 and replay.json() == results["first"].json()
    assert User.objects.filter(username="c1").count() == 1


@pytest.mark.django_db
def test_a_claim_abandoned_by_a_dead_request_is_taken_over(api_as, hq_admin):
    client = api_as(hq_admin)
    body = {"username": "late", "role": "hq_staff"}
    with time_machine.travel(timezone.now() - timezone.timedelta(minutes=10)):
        IdempotencyKey.objects.create(
            user=hq_admin, endpoint="POST /api/v1/users/", key="k", request_hash=_hash_of(body)
        )
    response = post_user(client, body, "k")
    assert response.status_code == 201
    assert User.objects.filter(username="late").exists()


def _hash_of(body):
    import hashlib
    import json

    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
