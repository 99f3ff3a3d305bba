"""Hardening found in review: account takeover, token minting, lockout floods, idle sessions."""

import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dms.accounts import services
from dms.accounts.middleware import SESSION_KEY
from dms.errors import PermissionDeniedError
from dms.events.models import Event, Notification
from dms.events.selectors import event_list
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role="hq_admin", is_superuser=True, is_staff=True)


def test_hq_admin_cannot_take_over_a_superuser(api_as, hq_admin, superuser):
    response = api_as(hq_admin).patch(f"/api/v1/users/{superuser.pk}/", {"email": "attacker@example.com"})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.email != "attacker@example.com"
    with pytest.raises(PermissionDeniedError):
        services.user_set_active(actor=hq_admin, user=superuser, active=False)


def test_a_superuser_may_manage_another(superuser):
    other = UserFactory(username="root2", role="hq_admin", is_superuser=True, is_staff=True)
    assert services.user_update(actor=superuser, user=other, phone="1").phone == "1"


def test_a_token_cannot_mint_another_token(api_client, hq_staff):
    _token, key = services.token_create(user=hq_staff, name="ERP")
    response = api_client.post("/api/v1/tokens/", {"name": "copy"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403 and response.json()["code"] == "sign_in_required"
    assert hq_staff.api_tokens.count() == 1


def test_access_events_stay_out_of_the_dealer_portal(hq_admin, dealer_admin, dealer_staff):
    services.user_set_active(actor=hq_admin, user=dealer_staff, active=False, reason="left")
    services.user_locked_out(username=dealer_admin.username, ip_address="10.0.0.9")
    assert not event_list(user=dealer_admin).exists()
    assert event_list(user=hq_admin).count() == 2


def test_a_lockout_is_recorded_once_per_cool_off(hq_staff, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):
            client.post(reverse("login"), {"username": hq_staff.username, "password": "wrong"})
    assert Event.objects.filter(verb="accounts.locked_out").count() == 1
    assert Notification.objects.filter(recipient=hq_staff).count() == 1


def test_idle_user_is_signed_out_with_a_message(client_as, hq_staff):
    client = client_as(hq_staff)
    client.get("/hq/")
    session = client.session
    session[SESSION_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 10
    session.save()
    response = client.get("/hq/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "inactivity" in response.content.decode() or "未操作" in response.content.decode()


def test_the_bell_polling_does_not_keep_a_session_alive(hq_staff):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": hq_staff.username, "password": PASSWORD})
        client.get("/hq/")
    for minutes in range(10, settings.SESSION_IDLE_TIMEOUT // 60 + 20, 10):
        with time_machine.travel(start + timezone.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("notifications:bell"), HTTP_X_DMS_BACKGROUND="1").status_code in (200, 302)
    with time_machine.travel(start + timezone.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1300), tick=False):
        response = client.get("/hq/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_huge_dealer_numbers_are_a_validation_error(api_as, client_as, hq_admin):
    response = api_as(hq_admin).post("/api/v1/users/", {"username": "big", "role": "dealer_staff", "dealer": 2**63})
    assert response.status_code == 400 and "dealer" in response.json()["fields"]
    page = client_as(hq_admin).post(
        reverse("accounts:user_create"), {"username": "big", "role": "dealer_staff", "dealer": str(2**63)}
    )
    assert page.status_code == 200 and page.context["form"].errors["dealer"]


def test_concurrent_duplicate_username_is_a_rule_not_a_crash(hq_admin, monkeypatch):
    """The existence check passes for both; the unique index catches the second insert."""
    services.user_create(actor=hq_admin, username="twin", role="hq_staff")
    real_filter = get_user_model().objects.filter

    def blind_filter(*args, **kwargs):
        if "username__iexact" in kwargs:
            return get_user_model().objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(get_user_model().objects, "filter", blind_filter)
    with pytest.raises(services.UsernameTaken):
        services.user_create(actor=hq_admin, username="TWIN", role="hq_staff")


def test_admin_password_change_is_recorded(client, superuser, hq_staff):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[hq_staff.pk]),
        {"password1": "admin-set-pass-77", "password2": "admin-set-pass-77", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert Event.objects.filter(verb="accounts.password_changed", target_id=str(hq_staff.pk)).exists()
