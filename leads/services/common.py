"""Pieces several leads services share: queueing the assignment sweep and reading a transition table
backwards for bulk updates."""

from django.db import transaction


def queue_assignment() -> None:
    """Queue the assignment sweep once the transaction commits."""
    from leads.tasks import leads_assign_task

    transaction.on_commit(leads_assign_task.delay)


def sources(table: dict[str, frozenset[str]], target: str) -> frozenset[str]:
    """The statuses ``table`` allows to move to ``target``: a bulk update filters on them, so a row in any
    other status is left alone rather than moved against the table."""
    return frozenset(current for current, targets in table.items() if target in targets)
