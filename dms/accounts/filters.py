"""FilterSets for users, shared by the HQ user list and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dms.accounts.models import Role, User
from dms.filters import StrictBooleanFilter
from dms.lists import SortFilter


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    is_active = StrictBooleanFilter(label=_("Active"))
    dealer = django_filters.NumberFilter(label=_("Dealer"), field_name="dealer_id")

    sort = SortFilter(fields=["username"])

    class Meta:
        model = User
        fields = ["q", "role", "is_active", "dealer"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )
