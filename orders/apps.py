from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from dms.accounts.groups import ensure_groups

# Head-office groups and the permissions of this app they hold. HQ administrators hold all of them.
GROUPS = {
    "order_desk": ["approve_order", "ship_order"],
    "finance": ["record_payment", "change_credit_limit", "approve_credit_override", "approve_order"],
    "warehouse": ["adjust_stock", "ship_order"],
    "catalogue": ["manage_catalogue"],
}


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        import orders.search  # noqa: F401 - registers its top-bar search providers
        from orders import sections, verbs  # noqa: F401 - registers the event kinds and the dealer page tabs

        post_migrate.connect(
            ensure_groups(self.label, GROUPS), sender=self, weak=False, dispatch_uid=f"{self.label}.groups"
        )
