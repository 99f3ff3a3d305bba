"""Two outbox publishers at once, on real PostgreSQL connections: every notification exactly once."""

import threading

import pytest
from django.db import connection

from dms import events
from dms.accounts import verbs
from dms.events.models import Event, Notification
from dms.events.services import events_publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_publishers_deliver_each_notification_once():
    actor = UserFactory(username="actor", role="hq_admin")
    recipients = UserFactory.create_batch(5, role="hq_staff")
    for _ in range(200):
        events.record(actor=actor, verb=verbs.TOKEN_CREATED.code, target=actor, notify=recipients)
    # Recording already published them (tasks run eagerly here); turn them back into a backlog.
    Notification.objects.all().delete()
    Event.objects.update(published_at=None)
    barrier = threading.Barrier(2)
    published, errors = [], []

    def publisher():
        try:
            barrier.wait(timeout=10)
            total = 0
            while n := events_publish(batch_size=20):
                total += n
            published.append(total)
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publisher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(published) == 200
    assert Notification.objects.count() == 200 * 5
    assert not Event.objects.filter(published_at__isnull=True).exists()
