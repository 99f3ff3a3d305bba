from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        import leads.search  # noqa: F401 - registers its top-bar search providers
        from leads import sections, verbs  # noqa: F401 - registers the event kinds and the dealer page tabs
