"""Events (the audit trail and the outbox) and the notifications derived from them."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.events import verbs


class Event(models.Model):
    """One thing that happened: who did what to which object, and which dealer it concerns."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("kind"), max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type"))
    target_id = models.CharField(pgettext_lazy("event", "object id"), max_length=64)
    target_repr = models.CharField(_("object"), max_length=200)
    # The dealer the event concerns, so that dealer users and territory-bound staff see only theirs.
    dealer_id = models.PositiveBigIntegerField(_("dealer"), null=True, blank=True, db_index=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    notify = models.JSONField(_("recipients"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"], name="event_target_idx"),
            models.Index(fields=["id"], condition=Q(published_at__isnull=True), name="event_unpublished_idx"),
            # A dealer's events, newest first: what dealer users and territory-bound staff read.
            models.Index(fields=["dealer_id", "-created_at", "-id"], name="event_dealer_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.sentence

    @property
    def sentence(self) -> str:
        return verbs.describe(self)

    @property
    def label(self) -> str:
        verb = verbs.get(self.verb)
        return str(verb.label) if verb else self.verb


class Notification(models.Model):
    """One event shown to one user, unread until they open it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("event"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "recipient"], name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # A reader's notifications, newest first: the list and the bell read them in this order.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.event.verb}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A kind of notification that a user also wants by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    verb = models.CharField(_("kind"), max_length=64)
    email = models.BooleanField(_("send email"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "verb"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.verb}"
