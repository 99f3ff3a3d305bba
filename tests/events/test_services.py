import contextlib

import pytest
from django.core import mail
from django.db import transaction
from django.template import Context, Template
from django.test import RequestFactory

from dms import events
from dms.accounts import verbs
from dms.events.models import Event, Notification, NotificationPreference
from dms.events.services import events_publish, notification_email_send

pytestmark = pytest.mark.django_db


def record_token_event(actor, notify=()):
    return events.record(actor=actor, verb=verbs.TOKEN_CREATED.code, target=actor, notify=notify)


def test_an_event_exists_only_if_the_change_committed(hq_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                record_token_event(hq_staff, notify=[hq_staff])
                raise RuntimeError("the business write failed")
        except RuntimeError:
            pass
    assert not Event.objects.exists()
    assert callbacks == []


def test_publishing_turns_events_into_notifications_once(hq_staff, sales_rep, hq_admin):
    event = record_token_event(hq_admin, notify=[hq_staff, sales_rep, hq_staff])
    assert events_publish() == 1
    assert events_publish() == 0
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"desk", "rep"}
    event.refresh_from_db()
    assert event.published_at is not None


def test_publishing_enqueued_on_commit_delivers_the_notification(hq_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record_token_event(hq_staff, notify=[hq_staff])
    assert Notification.objects.filter(recipient=hq_staff).count() == 1


def test_email_goes_only_to_users_who_opted_in_and_only_once(hq_staff, sales_rep, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=hq_staff, verb=verbs.TOKEN_CREATED.code, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        record_token_event(hq_staff, notify=[hq_staff, sales_rep])
    assert [m.to for m in mail.outbox] == [[hq_staff.email]]
    notification = Notification.objects.get(recipient=hq_staff)
    assert notification.emailed_at is not None
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_email_is_written_in_the_recipients_language(hq_staff, django_capture_on_commit_callbacks):
    hq_staff.language = "en"
    hq_staff.save()
    NotificationPreference.objects.create(user=hq_staff, verb=verbs.TOKEN_CREATED.code, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        record_token_event(hq_staff, notify=[hq_staff])
    assert "created the API token" in mail.outbox[0].body


def test_unknown_verbs_are_a_programming_error(hq_staff):
    with pytest.raises(ValueError, match="Unregistered"):
        events.record(actor=hq_staff, verb="nobody.registered_this", target=hq_staff)


def test_dealer_is_taken_from_the_target(dealer_staff):
    event = events.record(actor=dealer_staff, verb=verbs.USER_UPDATED.code, target=dealer_staff)
    assert event.dealer_id == dealer_staff.dealer_id


def test_the_timeline_tag_shows_the_history_of_one_object(hq_admin, hq_staff, sales_rep):
    events.record(actor=hq_admin, verb=verbs.USER_UPDATED.code, target=hq_staff)
    events.record(actor=hq_admin, verb=verbs.USER_UPDATED.code, target=sales_rep)
    request = RequestFactory().get("/")
    request.user = hq_admin
    html = Template("{% load timeline %}{% timeline target %}").render(
        Context({"request": request, "target": hq_staff})
    )
    assert html.count("dms-timeline-item") == 1
    assert str(hq_staff) in html


def test_a_deleted_recipient_does_not_block_the_outbox(hq_admin, hq_staff, sales_rep):
    record_token_event(hq_admin, notify=[sales_rep])
    record_token_event(hq_admin, notify=[hq_staff])
    sales_rep.delete()
    assert events_publish() == 2
    assert list(Notification.objects.values_list("recipient", flat=True)) == [hq_staff.pk]


def test_a_failed_email_is_released_for_a_retry(hq_staff, monkeypatch):
    NotificationPreference.objects.create(user=hq_staff, verb=verbs.TOKEN_CREATED.code, email=True)
    record_token_event(hq_staff, notify=[hq_staff])
    events_publish()
    notification = Notification.objects.get()

    def smtp_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("dms.events.services.send_mail", smtp_down)
    with pytest.raises(OSError):
        notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    monkeypatch.undo()
    assert notification_email_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_one_publish_task_per_transaction_however_many_events_notify(django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(5):
            events.record(actor=None, verb=verbs.PASSWORD_CHANGED.code, target=user, notify=[user])
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_an_event_after_a_rolled_back_one_still_queues_the_publish(django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            events.record(actor=None, verb=verbs.PASSWORD_CHANGED.code, target=user, notify=[user])
            raise RuntimeError
        events.record(actor=None, verb=verbs.PASSWORD_CHANGED.code, target=user, notify=[user])
    assert len(callbacks) == 1
