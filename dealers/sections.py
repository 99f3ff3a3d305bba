"""The sections of the dealer page at head office (the dealer 360° view): one tab each, with its own link and count.

The dealers app owns the page and its own sections (documents, staff, timeline); apps above it (orders, leads)
register theirs from their ``sections`` module when they are ready, so this app never imports them. Every section
reads through its app's selectors, scoped to the user, so a tab shows only what the user may see.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dms.menus import url_allows


def _everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    """One tab of the dealer page.

    ``rows(user=, dealer=)`` is what the tab lists, scoped to the user and in the order shown; ``counted`` is what
    the tab's badge counts when that is not every listed row (default: ``rows``). ``context(user=, dealer=)`` adds
    what the tab shows besides its rows, ``see_all(user=, dealer=)`` is the full list filtered by the dealer (or
    None), ``allowed(user)`` whether the user has the tab at all.
    """

    key: str
    label: str
    icon: str
    template: str
    rows: Callable[..., QuerySet]
    order: int = 100
    counted: Callable[..., QuerySet] | None = None
    context: Callable[..., dict] | None = None
    see_all: Callable[..., str | None] | None = None
    allowed: Callable[..., bool] = field(default=_everyone)
    alert: bool = False
    paginate_by: int = 20  # 0: the template shows the rows its own way, all at once

    def count_rows(self, *, user, dealer: Dealer) -> QuerySet:
        return (self.counted or self.rows)(user=user, dealer=dealer)


@dataclass
class Tab:
    """A section as one user sees it on one dealer's page: its link, its count and whether it is open."""

    key: str
    label: str
    icon: str
    url: str
    count: int | None
    alert: bool = False
    active: bool = False


_registry: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add a section (registering the same key again replaces it)."""
    _registry[section.key] = section
    return section


def sections() -> list[Section]:
    return sorted(_registry.values(), key=lambda s: (s.order, s.key))


def get(key: str) -> Section | None:
    return _registry.get(key)


def list_url(name: str, dealer: Dealer, *, user, param: str = "dealer") -> str | None:
    """The full list ``name`` filtered by the dealer, for a section's "see all" link; None when the list's own
    access check (``RoleRequiredMixin.allows``) turns the user away, so the tab never links to a 403."""
    url = reverse(name)
    if not url_allows(url, user):
        return None
    return f"{url}?{urlencode({param: dealer.pk})}"


def _count_of(qs: QuerySet) -> Subquery:
    # COUNT as a plain function adds no GROUP BY; counting the primary keys the section's queryset selects keeps
    # that queryset's own annotations and joins out of the count.
    ids = qs.order_by().values("pk")
    counted = qs.model._default_manager.filter(pk__in=ids).order_by().annotate(n=Func(F("pk"), function="COUNT"))
    counted = counted.values("n")
    return Subquery(counted, output_field=IntegerField())


def counts(*, user, dealer: Dealer, shown: list[Section]) -> dict[str, int]:
    """The count of every section in one query, however many rows each has."""
    if not shown:
        return {}
    expressions = {f"n{i}": _count_of(s.count_rows(user=user, dealer=dealer)) for i, s in enumerate(shown)}
    row = Dealer.objects.filter(pk=dealer.pk).values(**expressions).get()
    return {s.key: row[f"n{i}"] or 0 for i, s in enumerate(shown)}


def tabs(*, user, dealer: Dealer, active: str = "") -> list[Tab]:
    """The overview and every section the user has, with counts, for the tab bar."""
    shown = [s for s in sections() if s.allowed(user)]
    numbers = counts(user=user, dealer=dealer, shown=shown)
    overview = Tab(
        key="",
        label=_("Overview"),
        icon="card-heading",
        url=reverse("dealers:detail", args=[dealer.pk]),
        count=None,
        active=not active,
    )
    return [
        overview,
        *(
            Tab(
                key=s.key,
                label=s.label,
                icon=s.icon,
                url=reverse("dealers:section", args=[dealer.pk, s.key]),
                count=numbers[s.key],
                alert=s.alert and numbers[s.key] > 0,
                active=s.key == active,
            )
            for s in shown
        ),
    ]


# The dealers app's own sections ---------------------------------------------------------------------------------


def _documents(*, user, dealer):
    from dealers.selectors import document_list

    return document_list(user=user).filter(dealer=dealer).order_by("-uploaded_at", "-pk")


def _documents_context(*, user, dealer) -> dict:
    from dealers.forms.portal import DocumentUploadForm
    from dealers.selectors import document_overview

    return {"overview": document_overview(dealer=dealer), "upload_form": DocumentUploadForm()}


def _staff(*, user, dealer):
    from dealers.selectors import dealer_staff

    return dealer_staff(user=user, dealer=dealer)


def _staff_list(*, user, dealer) -> str | None:
    return list_url("accounts:user_list", dealer, user=user)


def _events(*, user, dealer):
    from dms.events.selectors import event_list

    return event_list(user=user).filter(dealer_id=dealer.pk)


register(
    Section(
        key="documents",
        label=_("Documents"),
        icon="file-earmark-check",
        template="dealers/sections/documents.html",
        rows=_documents,
        context=_documents_context,
        paginate_by=0,  # the tab shows every document type, and the documents of each
        order=80,
    )
)
register(
    Section(
        key="staff",
        label=_("Staff"),
        icon="people",
        template="dealers/sections/staff.html",
        rows=_staff,
        see_all=_staff_list,
        order=90,
    )
)
register(
    Section(
        key="timeline",
        label=_("Timeline"),
        icon="clock-history",
        template="dealers/sections/timeline.html",
        rows=_events,
        order=100,
    )
)
