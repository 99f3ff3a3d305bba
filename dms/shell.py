"""The two homes: the HQ console dashboard and the dealer portal home.

Each installed app may add cards to them with a ``home`` module defining ``hq_cards(user)`` and/or
``portal_cards(user)``, each returning a list of ``{"template": ..., **context}`` dicts; the homes
include every card's template with that context. So the shell shows orders, leads and so on
without importing the apps.
"""

import json
from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.views.generic import TemplateView

from dms.caching import scoped_aggregate
from dms.events.selectors import event_list, notification_list
from dms.views import DEALER, HQ, RoleRequiredMixin

ACTIVITY_DAYS = 14


def activity_by_day(*, user, days: int = ACTIVITY_DAYS) -> dict:
    """Events per day in the user's scope over the last ``days`` days (Asia/Shanghai dates)."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = (
        event_list(user=user)
        .filter(created_at__date__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["day"]: row["n"] for row in rows}
    labels = [start + timedelta(days=i) for i in range(days)]
    return {"labels": [d.strftime("%m-%d") for d in labels], "values": [counts.get(d, 0) for d in labels]}


def app_cards(hook: str, user) -> list[dict]:
    """The cards every installed app's ``home`` module offers for this home, in app order."""
    cards = []
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.home"
        if app_config.name.startswith("django") or find_spec(module_name) is None:
            continue
        provider = getattr(import_module(module_name), hook, None)
        if provider is not None:
            cards += provider(user)
    return cards


class HomeContextMixin:
    card_hook = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["cards"] = app_cards(self.card_hook, user)
        activity = scoped_aggregate("activity", user, lambda: activity_by_day(user=user))
        context.update(
            {
                "recent_events": event_list(user=user)[:10],
                "recent_notifications": notification_list(user=user).select_related("event__target_type")[:5],
                "activity": activity,
                "activity_json": json.dumps(activity),
                "activity_total": sum(activity["values"]),
            }
        )
        return context


class HqHomeView(HomeContextMixin, RoleRequiredMixin, TemplateView):
    allowed_roles = HQ
    template_name = "hq/home.html"
    card_hook = "hq_cards"


class PortalHomeView(HomeContextMixin, RoleRequiredMixin, TemplateView):
    allowed_roles = DEALER
    template_name = "portal/home.html"
    card_hook = "portal_cards"
