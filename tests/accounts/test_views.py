import logging
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dms.accounts.models import Role, User
from dms.events.models import Event, Notification
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.mark.parametrize(
    ("role", "home"),
    [("hq_admin", "/hq/"), ("hq_staff", "/hq/"), ("sales_rep", "/hq/"), ("dealer_admin", "/portal/")],
)
def test_sign_in_lands_on_the_home_of_the_role(users, role, home):
    client = Client()
    response = login(client, users[role].username)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == home


def test_anonymous_visitor_is_sent_to_the_login_page():
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_wrong_password_shows_an_error_on_the_form(hq_staff):
    response = login(Client(), hq_staff.username, "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_five_failures_lock_the_username_and_ip_for_fifteen_minutes(
    hq_staff, caplog, django_capture_on_commit_callbacks
):
    client = Client()
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            login(client, hq_staff.username, "wrong")
    response = login(client, hq_staff.username)
    assert response.status_code == 429
    assert "15" in response.content.decode()
    assert any("locked" in r.getMessage().lower() for r in caplog.records)
    assert any("failure" in r.getMessage().lower() for r in caplog.records)
    assert Event.objects.filter(verb="accounts.locked_out", target_id=str(hq_staff.pk)).exists()
    assert Notification.objects.filter(recipient=hq_staff, event__verb="accounts.locked_out").exists()

    other_ip = Client(REMOTE_ADDR="10.9.9.9")
    assert login(other_ip, hq_staff.username).status_code == 302

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert login(Client(), hq_staff.username).status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client_as, hq_staff):
    client = client_as(hq_staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get("/hq/").status_code == 302


def test_session_cookie_is_httponly_and_lax(hq_staff):
    client = Client()
    login(client, hq_staff.username)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_idle_session_is_signed_out(hq_staff):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, hq_staff.username)
        assert client.get("/hq/").status_code == 200
    with time_machine.travel(start + timezone.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60), tick=False):
        assert client.get("/hq/").status_code == 200
    later = start + timezone.timedelta(seconds=2 * settings.SESSION_IDLE_TIMEOUT - 180)
    with time_machine.travel(later, tick=False):
        assert client.get("/hq/").status_code == 200
    with time_machine.travel(later + timezone.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 5), tick=False):
        response = client.get("/hq/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_change_records_and_notifies(client_as, hq_staff, django_capture_on_commit_callbacks):
    client = client_as(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "another-fine-pass-42",
                "new_password2": "another-fine-pass-42",
            },
        )
    assert response.status_code == 302
    hq_staff.refresh_from_db()
    assert hq_staff.check_password("another-fine-pass-42")
    assert Notification.objects.filter(recipient=hq_staff, event__verb="accounts.password_changed").exists()


def test_password_reset_by_email_link(hq_staff):
    client = Client()
    client.post(reverse("password_reset"), {"email": hq_staff.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "reset-pass-phrase-7", "new_password2": "reset-pass-phrase-7"})
    assert response.status_code == 302
    hq_staff.refresh_from_db()
    assert hq_staff.check_password("reset-pass-phrase-7")
    assert Event.objects.filter(verb="accounts.password_changed", target_id=str(hq_staff.pk)).exists()


def test_language_switch_is_kept_on_the_account(client_as, hq_staff):
    client = client_as(hq_staff)
    response = client.post(reverse("accounts:language"), {"language": "en", "next": "/hq/"})
    assert response.status_code == 302
    hq_staff.refresh_from_db()
    assert hq_staff.language == "en"
    assert client.get("/hq/").content.decode().count('lang="en"') == 1


def test_browser_language_chooses_and_chinese_is_the_fallback():
    assert 'lang="en"' in Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in Client(HTTP_ACCEPT_LANGUAGE="fr-FR").get(reverse("login")).content.decode()


def test_hq_admin_creates_a_user_from_the_console(client_as, hq_admin, dealer_one):
    client = client_as(hq_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "li.na", "role": Role.DEALER_STAFF, "dealer": str(dealer_one.pk), "email": "li@example.com"},
    )
    user = User.objects.get(username="li.na")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    detail = client.get(response["Location"])
    assert "/accounts/reset/" in detail.content.decode()


def test_user_form_shows_the_business_rule_next_to_the_field(client_as, hq_admin):
    response = client_as(hq_admin).post(reverse("accounts:user_create"), {"username": "x", "role": Role.DEALER_STAFF})
    assert response.status_code == 200
    assert response.context["form"].errors["dealer"]
    assert not User.objects.filter(username="x").exists()


def test_hq_admin_deactivates_a_user_with_a_reason(client_as, hq_admin, hq_staff):
    client = client_as(hq_admin)
    client.post(reverse("accounts:user_deactivate", args=[hq_staff.pk]), {"reason": "left"})
    hq_staff.refresh_from_db()
    assert not hq_staff.is_active
    page = client.get(reverse("accounts:user_detail", args=[hq_staff.pk])).content.decode()
    assert "left" in page


def test_user_edit_keeps_the_membership_rule(client_as, hq_admin, sales_rep, dealer_one):
    response = client_as(hq_admin).post(
        reverse("accounts:user_edit", args=[sales_rep.pk]), {"role": Role.SALES_REP, "dealer": str(dealer_one.pk)}
    )
    assert response.status_code == 200 and response.context["form"].errors
    sales_rep.refresh_from_db()
    assert sales_rep.dealer_id is None


def test_token_key_is_shown_once_on_the_account_page(client_as, hq_staff):
    client = client_as(hq_staff)
    response = client.post(reverse("accounts:token_create"), {"name": "ERP", "expires_in_days": "30"})
    key = response.context["new_token_key"]
    assert key and key in response.content.decode()
    assert key not in client.get(reverse("accounts:settings")).content.decode()
    token = hq_staff.api_tokens.get()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_is_not_found(client_as, hq_staff, sales_rep):
    from dms.accounts.services import token_create

    token, _key = token_create(user=hq_staff, name="ERP")
    assert client_as(sales_rep).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404


def test_email_preferences_are_saved(client_as, hq_staff):
    client = client_as(hq_staff)
    client.post(reverse("accounts:preferences"), {"email_verbs": ["accounts.token_created"]})
    assert list(hq_staff.notification_preferences.values_list("verb", flat=True)) == ["accounts.token_created"]
