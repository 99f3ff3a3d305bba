"""Housekeeping jobs of the API."""

from celery import shared_task


@shared_task(acks_late=True)
def idempotency_keys_purge_task() -> int:
    from dms.api.idempotency import idempotency_keys_purge

    return idempotency_keys_purge()
