"""What every list shares: sorting by an allow-listed column, the page-size choice and saved filters."""

import django_filters
from django import forms
from django.db import transaction
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from dms.errors import RuleViolation
from dms.forms import BootstrapFormMixin
from dms.models import SavedFilter
from dms.params import parse_id

SORT_PARAM = "sort"
PAGE_SIZE_PARAM = "per_page"
PAGE_SIZES = (20, 50, 100)
# Parameters that describe where a list is, not what it holds: never part of a saved filter.
NOT_SAVED = frozenset({"page", "export"})


class SavedFilterForm(BootstrapFormMixin, forms.Form):
    """Name the current filter of a list to find it again."""

    name = forms.CharField(label=_("Name"), max_length=80)
    path = forms.CharField(widget=forms.HiddenInput, max_length=200)
    query = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_path(self):
        """Only a list page that has filters can have saved filters."""
        path = self.cleaned_data["path"]
        try:
            view = resolve(path).func
        except Resolver404:
            view = None
        if getattr(getattr(view, "view_class", None), "filterset_class", None) is None:
            raise forms.ValidationError(_("This page has no filters to save."))
        return path


class SortField(forms.ChoiceField):
    """A sort key from the allow-list; anything else is ignored (the list keeps its own order), never an error."""

    widget = forms.HiddenInput

    def clean(self, value):
        value = self.to_python(value)
        return value if self.valid_value(value) else ""


class SortFilter(django_filters.ChoiceFilter):
    """``?sort=key`` ascending, ``?sort=-key`` descending, over the columns named in ``fields``.

    ``fields`` maps a parameter to the model field it sorts by (``{"created": "created_at"}``) or is a
    list of field names that double as parameters. Every field must be backed by an index (a test checks
    it). Rows that tie are ordered by primary key, so pages never repeat or skip a row. ``labels`` names the
    keys for a list shown as cards, which sorts from a menu instead of its column headers."""

    field_class = SortField

    def __init__(self, *args, fields, labels=None, **kwargs):
        self.param_map = dict(fields) if isinstance(fields, dict) else {name: name for name in fields}
        self.labels = labels or {}
        choices = []
        for param in self.param_map:
            choices += [(param, param), (f"-{param}", f"-{param}")]
        kwargs.setdefault("choices", choices)
        kwargs.setdefault("label", _("Sort by"))
        kwargs.setdefault("help_text", _("A column name; a leading minus sorts it descending."))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        descending = value.startswith("-")
        path = self.param_map[value.removeprefix("-")]
        sign = "-" if descending else ""
        return qs.order_by(f"{sign}{path}", f"{sign}pk")


def sort_filter_of(filterset) -> SortFilter | None:
    """The FilterSet's sort filter, if it has one."""
    if filterset is None:
        return None
    sort = filterset.filters.get(SORT_PARAM)
    return sort if isinstance(sort, SortFilter) else None


def page_size(query: QueryDict, *, default: int) -> int:
    """The page size the user chose, if it is one of those offered; the list's own otherwise."""
    size = parse_id(query.get(PAGE_SIZE_PARAM))
    return size if size in page_sizes(default=default) else default


def page_sizes(*, default: int) -> list[int]:
    """The page sizes a list offers: the standard ones and the list's own."""
    return sorted({*PAGE_SIZES, default})


def paging_context(query: QueryDict, *, default: int) -> dict:
    """What the pagination partial needs: the query string without the page (for the page links), the rest
    without the page size (hidden fields of the page-size picker), the sizes offered and the size in use."""
    size = page_size(query, default=default)
    query = query.copy()
    query.pop("page", None)
    query_string = query.urlencode()
    query.pop(PAGE_SIZE_PARAM, None)
    return {
        "query_string": query_string,
        "page_size_query": [(name, value) for name, values in query.lists() for value in values],
        "page_sizes": page_sizes(default=default),
        "page_size": size,
    }


def saved_query(query: QueryDict) -> str:
    """A list's query string as a saved filter keeps it: without the page number or an export."""
    query = query.copy()
    for name in NOT_SAVED:
        query.pop(name, None)
    return query.urlencode()


def saved_filters(*, user, path: str):
    """The user's saved filters of one list, by name; nobody sees another user's."""
    return SavedFilter.objects.filter(user=user, path=path).order_by("name", "pk")


def saved_filter_save(*, actor, name: str, path: str, query: QueryDict) -> SavedFilter:
    """Save (or replace) the actor's filter called ``name`` on the list at ``path``."""
    name = name.strip()
    if not name:
        raise RuleViolation(_("Give the filter a name."), field="name")
    with transaction.atomic():
        saved, _created = SavedFilter.objects.update_or_create(
            user=actor, path=path, name=name, defaults={"query": saved_query(query)}
        )
    return saved


def saved_filter_delete(*, actor, pk: int) -> str:
    """Delete one of the actor's saved filters; returns the list it belonged to. Another user's is not found."""
    saved = SavedFilter.objects.filter(user=actor, pk=pk).first()
    if saved is None:
        raise SavedFilter.DoesNotExist
    saved.delete()
    return saved.path
