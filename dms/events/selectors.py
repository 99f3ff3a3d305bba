"""Reads of the event log and notifications, scoped to the user first."""

from django.db.models import Q, QuerySet

from dms.events.models import Event, Notification
from dms.scoping import dealer_q, signed_in


def event_list(*, user, filters=None) -> QuerySet[Event]:
    """Events the user may read: those about dealers in their scope (``dms.scoping``), and for
    head-office users also their own actions. Events about no dealer (access changes) are for HQ
    administrators."""
    qs = Event.objects.all()
    if not signed_in(user):
        return qs.none()
    if user.is_dealer_user:
        qs = qs.filter(dealer_q(user))
    elif not user.is_hq_admin:
        qs = qs.filter(dealer_q(user) | Q(actor=user))
    qs = qs.select_related("actor", "target_type")
    if filters is not None:
        from dms.events.filters import EventFilterSet

        qs = EventFilterSet(filters, queryset=qs).qs
    return qs


def event_timeline(*, user, target, limit: int = 50) -> list[Event]:
    from django.contrib.contenttypes.models import ContentType

    return list(
        event_list(user=user).filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))[
            :limit
        ]
    )


def notification_list(*, user) -> QuerySet[Notification]:
    qs = Notification.objects.all()
    if not signed_in(user):
        return qs.none()
    return qs.filter(recipient=user).select_related("event", "event__actor")


def notification_unread_count(*, user) -> int:
    if not signed_in(user):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
