"""Background jobs of the logistics app."""

from celery import shared_task


@shared_task(acks_late=True)
def delivery_plan_solve_task(plan_id: int) -> str | None:
    """Solve a queued delivery plan. Safe to run twice: a plan no longer queued is left alone."""
    from logistics.services import delivery_plan_solve

    plan = delivery_plan_solve(plan_id=plan_id)
    return plan.status if plan else None
