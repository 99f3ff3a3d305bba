"""The event log read from an index at any size: a dealer's events newest first, never a sort of all of them."""

import pytest

from dms import events
from dms.accounts import verbs
from dms.events.selectors import event_list
from tests.platform.query_budget import plan_of

pytestmark = pytest.mark.django_db


def test_a_dealer_users_events_come_newest_first_from_an_index_not_a_sort(hq_admin, dealer_admin):
    for _n in range(3):
        events.record(actor=hq_admin, verb=verbs.USER_UPDATED.code, target=dealer_admin)
    page = event_list(user=dealer_admin)[:25]
    assert len(page) == 3
    plan = plan_of(page)
    assert "event_dealer_newest_idx" in plan, plan
    assert "Sort" not in plan, plan
