from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealersConfig(AppConfig):
    name = "dealers"
    verbose_name = _("Dealers")

    def ready(self) -> None:
        import dealers.search  # noqa: F401 - registers its top-bar search providers
        from dealers import verbs  # noqa: F401
