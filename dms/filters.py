"""Filter pieces shared by every app's FilterSets."""

import django_filters
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dms.widgets import TypeaheadSelect

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class StrictBooleanFilter(django_filters.ChoiceFilter):
    """``true``/``false``; any other value is a validation error rather than silently ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES_NO)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return super().filter(qs, value == "true")


class RegionChoiceFilterField(django_filters.fields.ModelChoiceField):
    """A region named in the reader's language, with its province."""

    def label_from_instance(self, obj):
        return obj.choice_label


def region_filter_picker(levels=("country", "province", "city")) -> TypeaheadSelect:
    """The type-ahead of a region filter, offering the levels its queryset accepts."""
    return TypeaheadSelect("dealers:picker_regions", params={"levels": ",".join(levels)})


class RegionChoiceFilter(django_filters.ModelChoiceFilter):
    """A region offered by name in the reader's language."""

    field_class = RegionChoiceFilterField


@extend_schema_field(OpenApiTypes.STR)
class RegionSubtreeFilter(RegionChoiceFilter):
    """A province or city by code; matches every row whose region lies inside it (by default, the dealer's).

    The region table is looked up through the app registry: ``dms`` owns the filter, ``dealers`` the data."""

    def __init__(self, *args, field_name="dealer__region__path", **kwargs):
        kwargs.setdefault("label", _("Region"))
        region = apps.get_model("dealers", "Region")
        kwargs.setdefault("queryset", region.objects.exclude(level=region.Level.DISTRICT).select_related("parent"))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("help_text", _("Includes every city and district inside it."))
        kwargs.setdefault("widget", region_filter_picker())
        super().__init__(*args, field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__startswith": value.path})
