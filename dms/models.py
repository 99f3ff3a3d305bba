"""Tables the whole project shares."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentCounter(models.Model):
    """Counters behind the public numbers people read (orders, invoices), one row per prefix and day."""

    key = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


class SavedFilter(models.Model):
    """A user's named filter of one list: the list's path and the query string that filters it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", verbose_name=_("user")
    )
    path = models.CharField(_("list"), max_length=200)
    name = models.CharField(_("name"), max_length=80)
    query = models.TextField(_("query"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [models.UniqueConstraint(fields=["user", "path", "name"], name="saved_filter_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path
