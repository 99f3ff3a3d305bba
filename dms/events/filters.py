"""FilterSets for the event log, shared by the audit page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from dms.events import verbs
from dms.events.models import Event, Notification
from dms.filters import StrictBooleanFilter
from dms.lists import SortFilter


class EventFilterSet(django_filters.FilterSet):
    verb = django_filters.CharFilter(
        label=_("Kind"), widget=forms.Select(choices=lambda: [("", "---------"), *verbs.choices()])
    )
    actor = django_filters.CharFilter(label=_("Actor"), field_name="actor__username", lookup_expr="iexact")
    target_type = django_filters.CharFilter(label=_("Object type"), method="filter_target_type")
    target_id = django_filters.CharFilter(label=_("Object id"))
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="created_at", lookup_expr="date__lte")
    q = django_filters.CharFilter(label=_("Object"), field_name="target_repr", lookup_expr="icontains")

    sort = SortFilter(fields={"time": "created_at", "kind": "verb"})

    class Meta:
        model = Event
        fields = ["verb", "actor", "target_type", "target_id", "since", "until", "q"]

    def filter_target_type(self, queryset, name, value):
        app_label, _sep, model = value.partition(".")
        return queryset.filter(target_type__app_label=app_label, target_type__model=model.lower())


class NotificationFilterSet(django_filters.FilterSet):
    unread = StrictBooleanFilter(label=_("Unread only"), field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["unread"]
