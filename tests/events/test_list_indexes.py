"""The event log read from an index at any size: a dealer's events newest first, never a sort of all of them."""

import pytest
from django.db import connection, transaction

from dms import events
from dms.accounts import verbs
from dms.events.selectors import event_list

pytestmark = pytest.mark.django_db


def test_a_dealer_users_events_come_newest_first_from_an_index_not_a_sort(hq_admin, dealer_admin):
    for _n in range(3):
        events.record(actor=hq_admin, verb=verbs.USER_UPDATED.code, target=dealer_admin)
    page = event_list(user=dealer_admin)[:25]
    assert len(page) == 3
    sql, params = page.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Tiny tables make any plan cheap: forbid the full-table scan and the sort, then see what is left.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "event_dealer_newest_idx" in plan, plan
    assert "Sort" not in plan, plan
