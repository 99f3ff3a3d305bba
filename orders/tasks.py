"""Background jobs of the orders app."""

from celery import shared_task


@shared_task(acks_late=True)
def orders_release_expired_task() -> int:
    from orders.services import orders_release_expired

    return orders_release_expired()
