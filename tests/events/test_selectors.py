import pytest

from dms import events
from dms.accounts import verbs
from dms.events.selectors import event_list, notification_list
from tests.platform.query_budget import plan_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(hq_admin, hq_staff, sales_rep, dealer_admin, other_dealer_admin):
    return {
        "access": events.record(actor=hq_admin, verb=verbs.USER_CREATED.code, target=hq_staff),
        "dealer1": events.record(actor=hq_admin, verb=verbs.USER_UPDATED.code, target=dealer_admin),
        "dealer2": events.record(actor=hq_admin, verb=verbs.USER_UPDATED.code, target=other_dealer_admin),
        "rep_own": events.record(actor=sales_rep, verb=verbs.TOKEN_CREATED.code, target=sales_rep),
    }


def visible(user):
    return set(event_list(user=user).values_list("pk", flat=True))


def ids(history, *names):
    return {history[n].pk for n in names}


def test_hq_admin_sees_everything(history, hq_admin):
    assert visible(hq_admin) == ids(history, "access", "dealer1", "dealer2", "rep_own")


def test_hq_staff_sees_dealer_events_but_not_access_changes(history, hq_staff):
    assert visible(hq_staff) == ids(history, "dealer1", "dealer2")


def test_sales_rep_sees_their_own_actions(history, sales_rep):
    assert visible(sales_rep) == ids(history, "rep_own")


def test_dealer_users_see_their_own_dealer_only(history, dealer_admin, other_dealer_admin):
    assert visible(dealer_admin) == ids(history, "dealer1")
    assert visible(other_dealer_admin) == ids(history, "dealer2")


def test_inactive_and_anonymous_users_see_nothing(history, hq_admin):
    from django.contrib.auth.models import AnonymousUser

    hq_admin.is_active = False
    assert visible(hq_admin) == set()
    assert visible(AnonymousUser()) == set()


def test_api_detail_outside_scope_is_404(history, api_as, dealer_admin):
    assert api_as(dealer_admin).get(f"/api/v1/events/{history['dealer2'].pk}/").status_code == 404
    assert api_as(dealer_admin).get(f"/api/v1/events/{history['dealer1'].pk}/").status_code == 200


def test_a_readers_notifications_come_newest_first_from_an_index_not_a_sort(hq_admin, hq_staff):
    """The notification list reads the reader's rows in index order; PostgreSQL never sorts them all."""
    for _n in range(3):
        events.record(actor=hq_admin, verb=verbs.USER_UPDATED.code, target=hq_staff, notify=[hq_staff])
    page = notification_list(user=hq_staff)[:25]
    plan = plan_of(page)
    assert "notification_newest_idx" in plan, plan
    assert "Sort" not in plan, plan
