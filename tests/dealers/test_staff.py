import pytest
from django.core import mail
from django.urls import reverse

from dms.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_dealer_admin_invites_and_deactivates_their_staff(client_as, dealer_admin, django_capture_on_commit_callbacks):
    client = client_as(dealer_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:staff"), {"username": "xiaoli", "first_name": "小李", "email": "xiaoli@example.cn"}
        )
    assert response.status_code == 302
    staff = User.objects.get(username="xiaoli")
    assert staff.role == "dealer_staff" and staff.dealer == dealer_admin.dealer and not staff.has_usable_password()
    assert mail.outbox and "/accounts/reset/" in mail.outbox[-1].body
    client.post(reverse("portal:staff_deactivate", args=[staff.pk]))
    staff.refresh_from_db()
    assert not staff.is_active


def test_staff_of_another_dealer_cannot_be_touched(client_as, dealer_admin, other_dealer_admin):
    theirs = UserFactory(role="dealer_staff", dealer=other_dealer_admin.dealer)
    response = client_as(dealer_admin).post(reverse("portal:staff_deactivate", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_the_dealer_admin_cannot_be_deactivated_from_the_portal(client_as, dealer_admin):
    other_admin = UserFactory(role="dealer_admin", dealer=dealer_admin.dealer)
    client_as(dealer_admin).post(reverse("portal:staff_deactivate", args=[other_admin.pk]), follow=True)
    other_admin.refresh_from_db()
    assert other_admin.is_active


def test_staff_cannot_invite(client_as, dealer_staff):
    assert client_as(dealer_staff).get(reverse("portal:staff")).status_code == 403
