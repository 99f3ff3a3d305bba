"""Tables the whole project shares."""

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
