"""Background jobs of the dealers app."""

from celery import shared_task


@shared_task(acks_late=True)
def documents_check_expiry_task() -> dict:
    from dealers.services import documents_check_expiry

    return documents_check_expiry()
