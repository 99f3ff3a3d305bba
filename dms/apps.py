from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DmsConfig(AppConfig):
    """The project package itself, so that its template tags (money) are found."""

    name = "dms"
    verbose_name = _("DMS")
