"""Background jobs of the leads app: assignment in batches and the recall of expired offers."""

from celery import shared_task


@shared_task(acks_late=True)
def leads_assign_task() -> dict:
    """Assign new leads, batch after batch, until none is left."""
    from leads.services import leads_assign

    total = {"assigned": 0, "unassigned": 0}
    while True:
        done = leads_assign()
        total = {key: total[key] + done[key] for key in total}
        if not any(done.values()):
            return total


@shared_task(acks_late=True)
def assignments_recall_task() -> int:
    from leads.services import assignments_recall_expired

    return assignments_recall_expired()


@shared_task(acks_late=True)
def follow_ups_chase_task() -> dict:
    from leads.services import follow_ups_chase

    return follow_ups_chase()


@shared_task(acks_late=True)
def registrations_expire_task() -> int:
    from leads.services import registrations_expire

    return registrations_expire()
