"""Lead imports (CSV or Excel) run by the worker, chunk by chunk, each row through ``lead_create``; each
status move checked against ``IMPORT_TRANSITIONS``."""

import os
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dms import events
from dms.accounts.models import User
from dms.errors import DomainError, InvalidTransition, PermissionDeniedError
from leads import verbs
from leads.models import Lead, LeadImport
from leads.selectors import can_import_leads
from leads.services.common import queue_assignment
from leads.services.intake import lead_create

S = LeadImport.Status
IMPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.QUEUED: frozenset({S.RUNNING, S.FAILED}),
    S.RUNNING: frozenset({S.DONE, S.FAILED}),
    S.DONE: frozenset(),
    S.FAILED: frozenset(),
}
# Rows taken in per transaction: progress moves every chunk, and a crash repeats at most one chunk's work
# (which was rolled back with it).
IMPORT_CHUNK = 100
# A run hands over to a fresh task after this long, well inside the worker's time limit.
IMPORT_TIME_BUDGET = 120
# A queued or running import that has not moved for this long is handed to the worker again.
IMPORT_STALLED_AFTER = timedelta(minutes=10)


def import_move(record: LeadImport, target: str) -> None:
    """The one place an import's status is assigned, checked against ``IMPORT_TRANSITIONS``."""
    if target not in IMPORT_TRANSITIONS[record.status]:
        raise InvalidTransition(current=record.get_status_display(), target=S(target).label)
    record.status = target


def lead_import_start(*, actor: User, uploaded_file) -> LeadImport:
    """Check the file (readable, known columns, within the size and row limits), store it and queue it for
    the worker. Raises ``ImportFileError`` (``import_file_invalid``) with a message for the uploader."""
    from leads import importing

    if actor is None or not can_import_leads(actor):
        raise PermissionDeniedError()
    rows = importing.read(uploaded_file)
    uploaded_file.seek(0)
    with transaction.atomic():
        record = LeadImport(
            created_by=actor,
            file_name=os.path.basename(uploaded_file.name or "")[:200] or "upload",
            file_size=uploaded_file.size,
            language=translation.get_language() or "",
            total_rows=len(rows),
        )
        record.file.save("upload", uploaded_file, save=False)
        record.save()
        events.record(
            actor=actor,
            verb=verbs.IMPORT_STARTED.code,
            target=record,
            dealer_id=None,
            data={"file": record.file_name, "rows": record.total_rows},
        )
        _process_soon(record.pk)
    return record


def _process_soon(import_id: int) -> None:
    from leads.tasks import lead_import_task

    transaction.on_commit(lambda: lead_import_task.delay(import_id))


def lead_import_process(*, import_id: int, chunk_size: int = IMPORT_CHUNK, time_budget: float = IMPORT_TIME_BUDGET):
    """Take in the import's rows from ``processed_rows`` on, chunk by chunk, each row through ``lead_create``
    (source ``import``). Rows are independent leads: a refused row is recorded with its row number and
    message and the others go on. At least one chunk is taken in; returns the import, still running when
    the time budget ran out (the caller queues the rest).

    Safe to run twice, and at once: each chunk locks the import row, starts where the last committed chunk
    stopped and commits its leads together with the new counts, so no row is taken in twice. A finished
    (done or failed) import is never run again. A worker killed mid-chunk loses only that chunk's uncommitted
    work: the redelivered task, or the sweep of stalled imports, resumes from ``processed_rows``. A file
    that can no longer be read, or an error that is not a row's fault, marks the import failed and keeps
    the leads taken in before it.
    """
    from leads import importing

    started = time.monotonic()
    with transaction.atomic():
        record = LeadImport.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=import_id)
        if record.is_finished:
            return record
        if record.status == S.QUEUED:
            import_move(record, S.RUNNING)
            record.started_at = timezone.now()
            record.save(update_fields=["status", "started_at", "updated_at"])
    with translation.override(record.language or settings.LANGUAGE_CODE):
        try:
            with record.file.open("rb") as handle:
                rows = importing.read(handle)
        except (OSError, DomainError) as exc:
            return _import_fail(import_id, str(getattr(exc, "message", "") or _("The file can no longer be read.")))
        parser = importing.RowParser()
        actor = record.created_by
        more = True
        while more:
            try:
                record, more = _import_chunk(import_id, rows, parser, actor, chunk_size)
            except Exception as exc:
                _import_fail(import_id, _("An unexpected error stopped the import (%(error)s).") % {"error": exc})
                raise
            if time.monotonic() - started >= time_budget:
                break
    return record


def _import_chunk(
    import_id: int, rows: list[dict], parser, actor: User | None, chunk_size: int
) -> tuple[LeadImport, bool]:
    """One chunk in one transaction; returns the import and whether rows are left."""
    with transaction.atomic():
        record = LeadImport.objects.select_for_update().get(pk=import_id)
        if record.is_finished:
            return record, False
        end = min(record.total_rows, len(rows), record.processed_rows + chunk_size)
        errors, created_before = [], record.created_count
        for row in rows[record.processed_rows : end]:
            number = row.get("_row", 0)
            try:
                values = parser.parse(row)
                _lead, created = lead_create(actor=actor, source=Lead.Source.IMPORT, assign_soon=False, **values)
            except DomainError as exc:
                errors.append({"row": number, "column": parser.label(exc.field), "message": str(exc.message)})
                continue
            if created:
                record.created_count += 1
            else:
                record.duplicate_count += 1
        if record.created_count > created_before:
            queue_assignment()
        record.processed_rows = end
        record.errors = [*record.errors, *errors]
        record.error_count += len(errors)
        more = end < min(record.total_rows, len(rows))
        if not more:
            import_move(record, S.DONE)
            record.finished_at = timezone.now()
            record.total_rows = end
        record.save()
        if not more:
            events.record(
                actor=None,
                verb=verbs.IMPORT_FINISHED.code,
                target=record,
                dealer_id=None,
                data={
                    "created": record.created_count,
                    "duplicates": record.duplicate_count,
                    "errors": record.error_count,
                },
                notify=[record.created_by_id] if record.created_by_id else [],
            )
    return record, more


def _import_fail(import_id: int, failure: str) -> LeadImport:
    with transaction.atomic():
        record = LeadImport.objects.select_for_update().get(pk=import_id)
        if record.is_finished:
            return record
        import_move(record, S.FAILED)
        record.finished_at, record.failure = timezone.now(), failure[:500]
        record.save(update_fields=["status", "finished_at", "failure", "updated_at"])
        events.record(
            actor=None,
            verb=verbs.IMPORT_FAILED.code,
            target=record,
            dealer_id=None,
            data={"failure": record.failure},
            notify=[record.created_by_id] if record.created_by_id else [],
        )
    return record


def lead_imports_stalled(*, now=None) -> list[int]:
    """Imports queued or running that have not moved for ``IMPORT_STALLED_AFTER``: their task was lost."""
    now = now or timezone.now()
    return list(
        LeadImport.objects.filter(
            status__in=[S.QUEUED, S.RUNNING], updated_at__lt=now - IMPORT_STALLED_AFTER
        ).values_list("pk", flat=True)
    )
