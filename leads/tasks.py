"""Background jobs of the leads app: assignment in batches, the recall of expired offers, follow-up
reminders, the end of deal protection, and lead imports."""

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


@shared_task(acks_late=True)
def lead_import_task(import_id: int) -> str:
    """Take in an uploaded lead file; a long file hands over to a new task when the time budget is spent.
    Safe to run twice (see ``leads.services.lead_import_process``)."""
    from leads.services import lead_import_process

    record = lead_import_process(import_id=import_id)
    if not record.is_finished:
        lead_import_task.delay(import_id)
    return record.status


@shared_task(acks_late=True)
def lead_imports_resume_task() -> int:
    """Queue again the imports whose task was lost (a worker killed before the message was redelivered)."""
    from leads.services import lead_imports_stalled

    stalled = lead_imports_stalled()
    for import_id in stalled:
        lead_import_task.delay(import_id)
    return len(stalled)
