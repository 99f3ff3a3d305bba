"""Writes to the event log and the notification inbox."""

import logging
import weakref
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from dms.accounts.models import User
from dms.errors import RuleViolation
from dms.events import FROM_TARGET, verbs
from dms.events.models import Event, Notification, NotificationPreference
from dms.scoping import actor_or_none

logger = logging.getLogger(__name__)


def _event(*, actor: User | None, verb: str, target, data=None, dealer_id=FROM_TARGET, notify=()) -> Event:
    if verbs.get(verb) is None:
        raise ValueError(f"Unregistered event verb {verb!r}")
    if dealer_id is FROM_TARGET:
        dealer_id = getattr(target, "dealer_id", None)
    return Event(
        actor=actor_or_none(actor),
        verb=verb,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        dealer_id=dealer_id,
        data=data or {},
        notify=sorted({getattr(u, "pk", u) for u in notify if u is not None}),
    )


def event_record(*, actor: User | None, verb: str, target, data=None, dealer_id=FROM_TARGET, notify=()) -> Event:
    """Write one event in the caller's transaction; its notifications go out only after commit."""
    event = _event(actor=actor, verb=verb, target=target, data=data, dealer_id=dealer_id, notify=notify)
    event.save(force_insert=True)
    if event.notify:
        _publish_after_commit()
    return event


def events_record(records) -> list[Event]:
    """Write many events in one INSERT: ``records`` are dicts of ``event_record``'s arguments."""
    events = Event.objects.bulk_create([_event(**record) for record in records])
    if any(event.notify for event in events):
        _publish_after_commit()
    return events


class _Publish:
    """Queues the publish task once the transaction commits. Django's list of on-commit callbacks holds the
    only strong reference to it: once that list has run, or was rolled back, the weak reference in
    ``_queued`` is dead and the next notifying event queues a new one."""

    def __call__(self) -> None:
        from dms.events.tasks import events_publish_task

        events_publish_task.delay()


_queued: ContextVar[weakref.ref | None] = ContextVar("events_publish_queued", default=None)


def _publish_after_commit() -> None:
    """One publish task per transaction, however many of its events notify someone: a bulk change
    (an import, the demo) would otherwise queue a task per event."""
    queued = _queued.get()
    if queued is not None and queued() is not None:
        return
    publish = _Publish()
    _queued.set(weakref.ref(publish))
    transaction.on_commit(publish)


def events_publish(*, batch_size: int = 500) -> int:
    """Turn committed, unpublished events into notifications (the outbox); safe to run concurrently.

    Returns how many events were published. Rows are claimed with SKIP LOCKED so that two
    publishers never handle the same event, and notifications are unique per (event, recipient).
    """
    with transaction.atomic():
        events = list(
            Event.objects.filter(published_at__isnull=True)
            .order_by("id")
            .select_for_update(skip_locked=True)
            .only("id", "verb", "notify")[:batch_size]
        )
        if not events:
            return 0
        now = timezone.now()
        # A recipient deleted since the event was recorded must not block the outbox for everyone.
        wanted = {uid for e in events for uid in e.notify}
        existing = set(get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))
        Notification.objects.bulk_create(
            [
                Notification(event_id=e.id, recipient_id=uid, created_at=now)
                for e in events
                for uid in e.notify
                if uid in existing
            ],
            ignore_conflicts=True,
        )
        Event.objects.filter(id__in=[e.id for e in events]).update(published_at=now)
        to_email = list(
            Notification.objects.filter(
                event_id__in=[e.id for e in events],
                emailed_at__isnull=True,
                recipient__is_active=True,
                recipient__notification_preferences__email=True,
                recipient__notification_preferences__verb=F("event__verb"),
            )
            .exclude(recipient__email="")
            .values_list("id", flat=True)
        )
        if to_email:
            from dms.events.tasks import notification_email_task

            for notification_id in to_email:
                transaction.on_commit(lambda nid=notification_id: notification_email_task.delay(nid))
    return len(events)


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification to its recipient; a second call for the same notification sends nothing.

    The notification is claimed (``emailed_at`` set) in a short transaction and the mail is sent
    after it, so no row lock is held during SMTP; a failed send releases the claim for a retry.
    """
    with transaction.atomic():
        claimed = Notification.objects.filter(
            pk=notification_id, emailed_at__isnull=True, recipient__is_active=True
        ).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("event", "event__actor", "event__target_type", "recipient").get(
        pk=notification_id
    )
    if not notification.recipient.email:
        return False
    language = notification.recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "notification": notification,
            "event": notification.event,
            "recipient": notification.recipient,
            "site_url": settings.DMS_SITE_URL,
        }
        subject = render_to_string("events/email/notification_subject.txt", context).strip()
        body = render_to_string("events/email/notification_body.txt", context)
    try:
        send_mail(subject, body, None, [notification.recipient.email])
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    logger.info("Emailed notification %s to user %s", notification_id, notification.recipient_id)
    return True


def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise RuleViolation(code="not_recipient")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, user, email_verbs) -> list[str]:
    """Replace the set of notification kinds the user receives by email."""
    allowed = {v.code for v in verbs.notifying_verbs()}
    unknown = set(email_verbs) - allowed
    if unknown:
        raise RuleViolation(code="unknown_notification_kind", data={"kinds": sorted(unknown)})
    NotificationPreference.objects.filter(user=user).exclude(verb__in=email_verbs).delete()
    for code in email_verbs:
        NotificationPreference.objects.update_or_create(user=user, verb=code, defaults={"email": True})
    return sorted(email_verbs)
