import pytest
from django.urls import reverse

from dms import events
from dms.accounts import verbs
from dms.events.models import Notification
from dms.events.services import events_publish

pytestmark = pytest.mark.django_db


def notify(user, actor):
    events.record(actor=actor, verb=verbs.TOKEN_CREATED.code, target=user, notify=[user])
    events_publish()
    return Notification.objects.filter(recipient=user).latest("id")


def test_the_bell_counts_unread_notifications(client_as, hq_staff, hq_admin):
    notify(hq_staff, hq_admin)
    notify(hq_staff, hq_admin)
    page = client_as(hq_staff).get("/hq/").content.decode()
    assert 'data-testid="unread-count">2<' in page


def test_marking_one_read_with_htmx_returns_the_row(client_as, hq_staff, hq_admin):
    notification = notify(hq_staff, hq_admin)
    response = client_as(hq_staff).post(reverse("notifications:read", args=[notification.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="notification-{notification.pk}"' in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read(client_as, dealer_staff, hq_admin):
    notify(dealer_staff, hq_admin)
    notify(dealer_staff, hq_admin)
    client_as(dealer_staff).post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=dealer_staff, read_at__isnull=True).exists()


def test_other_peoples_notifications_are_not_found(client_as, hq_staff, sales_rep, hq_admin):
    notification = notify(hq_staff, hq_admin)
    response = client_as(sales_rep).post(reverse("notifications:read", args=[notification.pk]))
    assert response.status_code == 404
    assert client_as(sales_rep).get(reverse("notifications:list")).context["notifications"].count() == 0


def test_notification_list_uses_the_portal_layout_for_dealers(client_as, dealer_staff):
    page = client_as(dealer_staff).get(reverse("notifications:list")).content.decode()
    assert "dms-portal" in page and "dms-hq" not in page


def test_read_redirect_refuses_foreign_hosts(client_as, hq_staff, hq_admin):
    notification = notify(hq_staff, hq_admin)
    response = client_as(hq_staff).post(
        reverse("notifications:read", args=[notification.pk]), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("notifications:list")


def test_audit_log_filters_like_the_api(client_as, hq_admin, hq_staff):
    events.record(actor=hq_admin, verb=verbs.USER_UPDATED.code, target=hq_staff)
    events.record(actor=hq_admin, verb=verbs.USER_DEACTIVATED.code, target=hq_staff)
    page = client_as(hq_admin).get(reverse("hq:audit"), {"verb": verbs.USER_DEACTIVATED.code})
    assert [e.verb for e in page.context["events"]] == [verbs.USER_DEACTIVATED.code]
    api = client_as(hq_admin).get("/api/v1/events/", {"verb": verbs.USER_DEACTIVATED.code}).json()
    assert [e["verb"] for e in api["results"]] == [verbs.USER_DEACTIVATED.code]


@pytest.mark.parametrize("next_url", ["foo", "//evil.example.com/", "javascript:alert(1)"])
def test_read_redirect_ignores_anything_but_a_local_path(client_as, hq_staff, hq_admin, next_url):
    notification = notify(hq_staff, hq_admin)
    response = client_as(hq_staff).post(reverse("notifications:read", args=[notification.pk]), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
