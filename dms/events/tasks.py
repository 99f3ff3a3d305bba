"""Background jobs of the event log: publishing the outbox and emailing notifications."""

from celery import shared_task


@shared_task(acks_late=True)
def events_publish_task() -> int:
    from dms.events.services import events_publish

    total = 0
    while published := events_publish():
        total += published
    return total


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email_task(notification_id: int) -> bool:
    from dms.events.services import notification_email_send

    return notification_email_send(notification_id=notification_id)
