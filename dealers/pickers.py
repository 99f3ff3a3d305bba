"""Type-ahead pickers of the dealers app (``dms.pickers``): dealers in the user's scope, regions in the reader's
language, and the head-office users who may own a dealer."""

import re

from django.db.models import Q

from dealers import selectors
from dealers.models import Dealer, Region
from dms.pickers import PickerView
from dms.validators import CODE_PATTERN

# Longer than any region code: what is longer is no code, and not looked up.
MAX_CODE_LENGTH = 32


def _listed(raw: str, allowed) -> list[str]:
    """The comma-separated values of a parameter that are among ``allowed``; anything else is ignored."""
    return [value for value in raw.split(",") if value in allowed]


class DealerPicker(PickerView):
    """Dealers the user may see, by code or name; ``?status=active,probation`` keeps only those statuses."""

    def queryset(self, user):
        rows = selectors.dealers_in_scope(user=user)
        statuses = _listed(self.request.GET.get("status", ""), Dealer.Status.values)
        return rows.filter(status__in=statuses) if statuses else rows

    def search(self, queryset, query):
        return queryset.filter(
            Q(code__startswith=query.upper) | Q(name__icontains=query.text) | Q(legal_name__icontains=query.text)
        )

    def label(self, obj):
        return f"{obj.code} {obj.name}"


class RegionPicker(PickerView):
    """Regions by their own or their parent's name (Chinese or English) or by code, named in the reader's
    language with their province; ``?levels=province,city`` keeps only those levels, as the field that asks
    accepts."""

    value_field = "code"

    def value(self, raw: str):
        raw = raw.strip()
        return raw if re.fullmatch(CODE_PATTERN, raw) and len(raw) <= MAX_CODE_LENGTH else None

    def queryset(self, user):
        rows = selectors.region_list(user=user).order_by("path")
        levels = _listed(self.request.GET.get("levels", ""), Region.Level.values)
        return rows.filter(level__in=levels) if levels else rows

    def search(self, queryset, query):
        # A province's name finds its cities and districts too: "浙江" offers 浙江省 · 杭州市.
        return queryset.filter(
            Q(name__icontains=query.text)
            | Q(name_en__icontains=query.text)
            | Q(code__startswith=query.text)
            | Q(parent__name__icontains=query.text)
            | Q(parent__name_en__icontains=query.text)
        )

    def label(self, obj):
        return obj.choice_label


class OwnerPicker(PickerView):
    """Head-office users who can be made responsible for a dealer, by name or username."""

    def queryset(self, user):
        return selectors.owner_choices().order_by("username")

    def search(self, queryset, query):
        return queryset.filter(
            Q(username__icontains=query.text)
            | Q(first_name__icontains=query.text)
            | Q(last_name__icontains=query.text)
            | Q(email__istartswith=query.text)
        )
