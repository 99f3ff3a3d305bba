"""Global search in the top bar: every app finds its own objects, dms only asks them and shows the answers.

dms imports no app. ``dealers.search``, ``orders.search`` and ``leads.search`` each ``register`` providers
from their ``AppConfig.ready()``. A provider takes the user, the cleaned ``Query`` and a limit, scopes to
the user first through its app's selectors, costs a fixed number of queries (one, plus whatever the
scoping rule reads) and returns a few results; it is asked only for users who may open its list page.
``/hq/search/`` and ``/portal/search/`` render them as a page, or as the top bar's drop-down for an htmx
request.
"""

import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.views.generic import TemplateView

from dms.menus import view_allows
from dms.views import DEALER, HQ, RoleRequiredMixin

MIN_LENGTH = 2
MAX_LENGTH = 100
# Names are matched anywhere in the text, so a short query would match half the table: three letters,
# or two characters of a script whose words are that short (李明, 杭州).
NAME_MIN_LENGTH = 3
NAME_MIN_LENGTH_CJK = 2
DROPDOWN_LIMIT = 4
PAGE_LIMIT = 20

AUDIENCE_HQ = "hq"
AUDIENCE_PORTAL = "portal"

_SPACES = re.compile(r"\s+")
# Format, surrogate, private-use and unassigned characters: invisible, dropped from a query.
FORMAT = frozenset({"Cf", "Cs", "Co", "Cn"})


@dataclass(frozen=True)
class Query:
    """What the user typed, cleaned: NFKC-normalised, invisible format characters (a zero-width space
    pasted with a number) dropped, spaces collapsed. ``usable`` is false when it is too short, too long
    or holds control characters, which no one types and no record holds."""

    raw: str
    text: str
    has_control: bool = False

    @classmethod
    def parse(cls, raw: str | None) -> "Query":
        raw = raw or ""
        text = unicodedata.normalize("NFKC", raw[: MAX_LENGTH * 4])
        text = "".join(char for char in text if char.isspace() or unicodedata.category(char) not in FORMAT)
        kept = "".join(char for char in text if char.isspace() or unicodedata.category(char) != "Cc")
        return cls(raw=raw, text=_SPACES.sub(" ", kept).strip(), has_control=kept != text)

    @property
    def too_short(self) -> bool:
        return len(self.text) < MIN_LENGTH

    @property
    def too_long(self) -> bool:
        return len(self.raw) > MAX_LENGTH

    @property
    def usable(self) -> bool:
        return not (self.too_short or self.too_long or self.has_control)

    @property
    def upper(self) -> str:
        return self.text.upper()

    @property
    def prefixes(self) -> set[str]:
        """The query as typed and upper-cased: codes and numbers are matched by prefix, case-sensitively,
        so the database can use the column's index."""
        return {self.text, self.upper}

    @property
    def names(self) -> bool:
        """Whether the query is long enough to look for it inside names."""
        if any(unicodedata.east_asian_width(char) in "WF" for char in self.text):
            return len(self.text) >= NAME_MIN_LENGTH_CJK
        return len(self.text) >= NAME_MIN_LENGTH


@dataclass(frozen=True)
class Result:
    """One thing found: what the drop-down and the results page show, and where it leads."""

    label: str
    secondary: str
    url: str
    kind: str


@dataclass(frozen=True)
class Provider:
    """Finds one kind of object for one door: ``find(user, query, limit)`` returns at most ``limit`` results."""

    kind: str
    title: str | Promise
    icon: str
    audience: str
    find: Callable[..., list[Result]]
    page: str = ""

    def shows_for(self, user) -> bool:
        """A kind is searched only for users who may open its list page (``page``, a route name): search
        must not lead to pages that answer 403."""
        return not self.page or view_allows(self.page, user)


def any_of(*conditions: Q | None) -> Q | None:
    """The conditions that apply (not None) joined with OR; None when none applies."""
    present = [condition for condition in conditions if condition is not None]
    return reduce(operator.or_, present) if present else None


_providers: dict[tuple[str, str], Provider] = {}


def register(provider: Provider) -> Provider:
    """Add a provider (again: the later one replaces the earlier, so a reloaded app does not count twice)."""
    _providers[(provider.audience, provider.kind)] = provider
    return provider


def providers(audience: str) -> list[Provider]:
    """The providers of a door, in the order the apps registered them."""
    return [provider for (door, _kind), provider in _providers.items() if door == audience]


@dataclass(frozen=True)
class Section:
    """The results of one provider."""

    provider: Provider
    results: list[Result]


def search(*, user, query: Query, audience: str, limit: int) -> list[Section]:
    """Every provider's results for the user, the providers that found nothing left out."""
    if not query.usable:
        return []
    sections = [
        Section(provider, provider.find(user, query, limit))
        for provider in providers(audience)
        if provider.shows_for(user)
    ]
    return [section for section in sections if section.results]


class SearchView(RoleRequiredMixin, TemplateView):
    """The results page; an htmx request (the top bar's drop-down) gets the short list instead."""

    abstract = True
    audience = ""
    layout = ""
    template_name = "search/results.html"

    def get_template_names(self):
        return ["partials/search_dropdown.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = Query.parse(self.request.GET.get("q"))
        limit = DROPDOWN_LIMIT if self.request.htmx else PAGE_LIMIT
        sections = search(user=self.request.user, query=query, audience=self.audience, limit=limit)
        context.update(
            layout=self.layout,
            query=query,
            search_query=query.text,
            sections=sections,
            result_count=sum(len(section.results) for section in sections),
            min_length=MIN_LENGTH,
            max_length=MAX_LENGTH,
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class HqSearchView(SearchView):
    allowed_roles = HQ
    audience = AUDIENCE_HQ
    layout = "layouts/hq.html"


class PortalSearchView(SearchView):
    allowed_roles = DEALER
    audience = AUDIENCE_PORTAL
    layout = "layouts/portal.html"
