"""The JSON behind the type-ahead pickers (``dms.widgets``): up to twenty matches of what was typed.

Each app declares its pickers as subclasses of ``PickerView``: ``queryset`` scopes to the user first (through
the app's selectors), ``search`` narrows it to what was typed and ``label`` names a row. A picker answers in a
fixed number of queries however many rows match, and only to head-office users.
"""

from django.http import JsonResponse
from django.views import View

from dms.params import parse_id
from dms.search import Query
from dms.views import HQ, RoleRequiredMixin

LIMIT = 20


class PickerView(RoleRequiredMixin, View):
    """``?q=`` what was typed, or ``?ids=1,2`` the rows to name (the chosen ones, when a page only has their
    ids); answers ``{"results": [{"id": ..., "text": ...}]}``."""

    abstract = True
    allowed_roles = HQ
    value_field = "pk"

    def queryset(self, user):
        raise NotImplementedError

    def search(self, queryset, query: Query):
        raise NotImplementedError

    def label(self, obj) -> str:
        return str(obj)

    def value(self, raw: str):
        """One of ``?ids=`` as ``value_field`` holds it, or ``None`` when it cannot be one."""
        return parse_id(raw)

    def get(self, request, *args, **kwargs):
        rows = self.queryset(request.user)
        ids = [value for value in map(self.value, request.GET.get("ids", "").split(",")) if value][:LIMIT]
        if ids:
            rows = rows.filter(**{f"{self.value_field}__in": ids})
        else:
            query = Query.parse(request.GET.get("q"))
            if query.text and not query.too_long:
                rows = self.search(rows, query)
        results = [{"id": getattr(obj, self.value_field), "text": self.label(obj)} for obj in rows[:LIMIT]]
        return JsonResponse({"results": results})
