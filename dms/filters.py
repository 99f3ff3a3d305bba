"""Filter pieces shared by every app's FilterSets."""

import django_filters
from django.utils.translation import gettext_lazy as _

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
