"""The business event log: who did what to which object, and the notifications derived from it.

``record()`` is the one way to write an event; it runs in the caller's transaction so that an
event exists exactly when the change it describes was committed.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dms.accounts.models import User

FROM_TARGET = object()


def plain(value):
    """A value as the audit log can keep it in JSON: scalars as they are, related sets as sorted names,
    anything else as its text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "all"):
        return sorted(str(v) for v in value.all())
    return str(value)


def record(*, actor: "User | None", verb: str, target, data=None, dealer_id=FROM_TARGET, notify=()):
    """Record an event. ``dealer_id`` defaults to the target's; pass None for an event that concerns
    no dealer (access changes), so that dealer users never see it."""
    from dms.events.services import event_record

    return event_record(actor=actor, verb=verb, target=target, data=data, dealer_id=dealer_id, notify=notify)


def record_many(records):
    """Record many events at once (one INSERT); each record is a dict of ``record``'s arguments."""
    from dms.events.services import events_record

    return events_record(records)
