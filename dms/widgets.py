"""Type-ahead pickers: a normal ``<select>`` that static/js/pickers.js turns into a box you type into.

A picker with a URL renders only the options already chosen, so a page never lists a whole table of dealers,
and the form still submits what it holds when JavaScript is off; the browser asks the URL (a
``dms.pickers.PickerView``) for up to twenty matches of what is typed. A picker without a URL renders every
choice and searches them in the page: small lists, and the public pages, which have no picker endpoints.
``TypeaheadTags`` does the same for a text field holding several values.
"""

import contextlib
import json

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


class TypeaheadMixin:
    """What both pickers share: the data attributes read by pickers.js and the options to render."""

    def __init__(self, url_name: str | None = None, *, params: dict | None = None, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.url_name = url_name
        self.params = params or {}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker"] = "remote" if self.url_name else "local"
        widget_attrs.setdefault("data-picker-placeholder", str(_("Type to search")))
        widget_attrs["data-picker-empty"] = str(_("No matches"))
        if self.url_name:
            url = reverse(self.url_name)
            widget_attrs["data-picker-url"] = f"{url}?{urlencode(self.params)}" if self.params else url
        return context

    def optgroups(self, name, value, attrs=None):
        if not self.url_name:
            return super().optgroups(name, value, attrs)
        every_choice = self.choices
        self.choices = self.chosen_choices([v for v in value if v not in ("", None)])
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every_choice

    def chosen_choices(self, chosen: list[str]) -> list:
        """The empty choice and the chosen ones, read with one query for a model field. A chosen value the
        field cannot name (an id typed into the address) keeps its value as its label, so that the form
        still carries it; pickers.js then asks the picker URL for its name."""
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator):
            field = choices.field
            rendered = [("", field.empty_label)] if field.empty_label is not None else []
            if chosen:
                key = field.to_field_name or "pk"
                # A value that is not even a valid key (``?dealer=abc``) names nothing.
                with contextlib.suppress(TypeError, ValueError, ValidationError):
                    rendered += [choices.choice(obj) for obj in choices.queryset.filter(**{f"{key}__in": chosen})]
            return rendered
        rendered = [(value, label) for value, label in choices if value in ("", None) or str(value) in chosen]
        known = {str(value) for value, _label in rendered}
        return rendered + [(value, value) for value in chosen if value not in known]


class TypeaheadSelect(TypeaheadMixin, forms.Select):
    """One dealer, region, owner or product, chosen by typing part of its name or code."""


class TypeaheadSelectMultiple(TypeaheadMixin, forms.SelectMultiple):
    """Several of them, each added by typing and removed with its ×; no ctrl-click."""


class TypeaheadTags(forms.TextInput):
    """Several values in one text field, separated by ``delimiter``, chosen from ``suggestions``: a callable
    returning ``(value, label)`` pairs, read when the field is rendered. Without JavaScript it is the text
    field it always was."""

    def __init__(self, *, suggestions, delimiter: str = "、", attrs=None):
        super().__init__(attrs)
        self.suggestions = suggestions
        self.delimiter = delimiter

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker"] = "tags"
        widget_attrs["data-picker-delimiter"] = self.delimiter
        widget_attrs["data-picker-options"] = json.dumps(
            [{"value": value, "text": str(label)} for value, label in self.suggestions()], ensure_ascii=False
        )
        widget_attrs["data-picker-placeholder"] = str(_("Type to search"))
        widget_attrs["data-picker-empty"] = str(_("No matches"))
        return context
