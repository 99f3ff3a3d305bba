from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from dms.accounts.groups import ensure_groups

# The head-office group of this app and the permissions it holds. HQ administrators hold all of them.
GROUPS = {"logistics": ["manage_fleet", "resolve_claim"], "order_desk": ["resolve_claim"]}


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self) -> None:
        # Importing them registers the event kinds and the order page's shipments panels.
        from logistics import panels, services, verbs  # noqa: F401
        from orders.services import Shipping, register_shipping

        # The order's own ship and deliver actions go through shipments.
        register_shipping(Shipping(ship_rest=services.order_ship_rest, deliver_all=services.order_deliver_all))

        post_migrate.connect(
            ensure_groups(self.label, GROUPS), sender=self, weak=False, dispatch_uid=f"{self.label}.groups"
        )
