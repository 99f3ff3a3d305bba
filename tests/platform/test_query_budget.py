"""Every list the platform ships keeps a fixed query count as it grows."""

import pytest

from dms import events
from dms.accounts import verbs
from dms.accounts.services import token_create
from dms.events.services import events_publish
from tests.factories import UserFactory
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_notifications(hq_admin, hq_staff):
    def add(n):
        for _ in range(n):
            events.record(actor=hq_admin, verb=verbs.TOKEN_CREATED.code, target=hq_admin, notify=[hq_staff])
        events_publish()

    return add


@pytest.fixture
def add_events(hq_admin):
    def add(n):
        for target in UserFactory.create_batch(n):
            events.record(actor=hq_admin, verb=verbs.USER_CREATED.code, target=target)

    return add


@pytest.mark.parametrize("url", ["/notifications/", "/api/v1/notifications/", "/hq/"])
def test_notifications(client_as, hq_staff, add_notifications, url):
    assert_flat_query_count(client_as(hq_staff), url, add_notifications)


@pytest.mark.parametrize("url", ["/hq/audit/", "/api/v1/events/", "/hq/users/", "/api/v1/users/"])
def test_audit_log_and_users(client_as, hq_admin, add_events, url):
    assert_flat_query_count(client_as(hq_admin), url, add_events)


def test_tokens(client_as, hq_staff):
    def add(n):
        for i in range(n):
            token_create(user=hq_staff, name=f"system {i}")

    assert_flat_query_count(client_as(hq_staff), "/api/v1/tokens/", add)
    assert_flat_query_count(client_as(hq_staff), "/account/", add, small=1, large=10)


def n_plus_one_view(request):
    from django.contrib.auth import get_user_model
    from django.http import HttpResponse

    return HttpResponse(",".join(str(u.api_tokens.count()) for u in get_user_model().objects.all()))


def test_the_helper_catches_a_query_per_row(settings, client_as, hq_admin):
    """The harness itself: a page that queries once per row fails it."""
    from django.urls import path

    settings.ROOT_URLCONF = type("Urls", (), {"urlpatterns": [path("n-plus-one/", n_plus_one_view)]})
    with pytest.raises(AssertionError, match="3 rows but"):
        assert_flat_query_count(client_as(hq_admin), "/n-plus-one/", UserFactory.create_batch)
