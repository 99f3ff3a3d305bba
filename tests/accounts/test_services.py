import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from dms.accounts import services
from dms.accounts.models import ApiToken, Role, User, hash_token_key
from dms.errors import PermissionDeniedError
from dms.events.models import Event, Notification

pytestmark = pytest.mark.django_db


def test_hq_admin_creates_a_dealer_user_and_the_change_is_recorded(hq_admin, dealer_one):
    user = services.user_create(
        actor=hq_admin, username="mei", role=Role.DEALER_STAFF, dealer_id=dealer_one.pk, password="a-long-pass-phrase-1"
    )
    assert user.dealer_id == dealer_one.pk and user.check_password("a-long-pass-phrase-1")
    event = Event.objects.get(verb="accounts.user_created", target_id=str(user.pk))
    assert event.actor == hq_admin and event.data == {"role": "dealer_staff"}


@pytest.mark.parametrize(
    ("role", "dealer_id", "code"),
    [
        (Role.DEALER_ADMIN, None, "dealer_required"),
        (Role.SALES_REP, 4, "dealer_not_allowed"),
        (Role.DEALER_STAFF, 999999, "unknown_dealer"),
    ],
)
def test_membership_rule_is_checked_before_anything_is_written(hq_admin, role, dealer_id, code):
    with pytest.raises(services.RuleViolation) as exc:
        services.user_create(actor=hq_admin, username="x", role=role, dealer_id=dealer_id)
    assert exc.value.code == code
    assert not User.objects.filter(username="x").exists()
    assert not Event.objects.exists()


def test_only_hq_admins_create_users(hq_staff):
    with pytest.raises(PermissionDeniedError):
        services.user_create(actor=hq_staff, username="x", role=Role.HQ_STAFF)


def test_duplicate_username_is_refused_case_insensitively(hq_admin):
    services.user_create(actor=hq_admin, username="Zhang", role=Role.HQ_STAFF)
    with pytest.raises(services.UsernameTaken):
        services.user_create(actor=hq_admin, username="zhang", role=Role.HQ_STAFF)


def test_weak_password_is_refused(hq_admin):
    with pytest.raises(services.WeakPassword):
        services.user_create(actor=hq_admin, username="x", role=Role.HQ_STAFF, password="123")


def test_user_without_password_gets_an_invitation_email(hq_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_create(actor=hq_admin, username="new", role=Role.HQ_STAFF, email="new@example.com")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_update_rechecks_membership_and_records_what_changed(hq_admin, sales_rep, dealer_one):
    with pytest.raises(services.DealerRequired):
        services.user_update(actor=hq_admin, user=sales_rep, role=Role.DEALER_STAFF)
    updated = services.user_update(actor=hq_admin, user=sales_rep, role=Role.DEALER_STAFF, dealer_id=dealer_one.pk)
    assert updated.role == Role.DEALER_STAFF and updated.dealer_id == dealer_one.pk
    event = Event.objects.get(verb="accounts.user_updated")
    assert event.data["changes"]["role"] == ["sales_rep", "dealer_staff"]


def test_deactivating_yourself_is_refused(hq_admin):
    with pytest.raises(services.CannotDeactivateSelf):
        services.user_set_active(actor=hq_admin, user=hq_admin, active=False)


def test_deactivation_stops_tokens_and_is_idempotent(hq_admin, hq_staff):
    _token, key = services.token_create(user=hq_staff, name="ERP")
    services.user_set_active(actor=hq_admin, user=hq_staff, active=False, reason="left the company")
    services.user_set_active(actor=hq_admin, user=hq_staff, active=False)
    assert services.token_authenticate(key=key) is None
    assert Event.objects.filter(verb="accounts.user_deactivated").count() == 1


def test_token_is_stored_only_as_a_hash(hq_staff):
    token, key = services.token_create(user=hq_staff, name="ERP", expires_in_days=30)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token_key(key)
    assert key not in {getattr(stored, f.attname) for f in ApiToken._meta.fields}
    assert stored.prefix == key[:8]
    assert (stored.expires_at - timezone.now()).days in (29, 30)


def test_token_creation_notifies_the_owner(hq_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.token_create(user=hq_staff, name="ERP")
    assert Notification.objects.filter(recipient=hq_staff, event__verb="accounts.token_created").count() == 1


def test_token_expires(hq_staff):
    _token, key = services.token_create(user=hq_staff, name="ERP", expires_in_days=1)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=1, minutes=1)):
        assert services.token_authenticate(key=key) is None


def test_revoked_token_stops_working_and_cannot_be_revoked_twice(hq_staff):
    token, key = services.token_create(user=hq_staff, name="ERP")
    services.token_revoke(actor=hq_staff, token=token)
    assert services.token_authenticate(key=key) is None
    with pytest.raises(services.TokenRevoked):
        services.token_revoke(actor=hq_staff, token=token)


def test_someone_elses_token_cannot_be_revoked(hq_staff, sales_rep):
    token, _key = services.token_create(user=hq_staff, name="ERP")
    with pytest.raises(PermissionDeniedError):
        services.token_revoke(actor=sales_rep, token=token)


def test_last_used_is_refreshed_at_most_once_a_minute(hq_staff):
    token, key = services.token_create(user=hq_staff, name="ERP")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.token_authenticate(key=key)
    with time_machine.travel(start + timezone.timedelta(seconds=30), tick=False):
        services.token_authenticate(key=key)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timezone.timedelta(seconds=90), tick=False):
        services.token_authenticate(key=key)
    token.refresh_from_db()
    assert token.last_used_at == start + timezone.timedelta(seconds=90)


@pytest.mark.parametrize("days", [0, 367])
def test_token_lifetime_is_bounded(hq_staff, days):
    with pytest.raises(services.RuleViolation) as exc:
        services.token_create(user=hq_staff, name="ERP", expires_in_days=days)
    assert exc.value.code == "invalid_expiry"
