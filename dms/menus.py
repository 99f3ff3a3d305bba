"""The HQ console's sidebar and the dealer portal's menu, built in one place for the signed-in user.

An entry shows only to users who may open its page. By default that is the page's own check,
``RoleRequiredMixin.allows`` (its roles and the app's permission function in ``may_use``), so the menu
and the 403 a typed-in address gets can never disagree; an entry whose page is not such a view names its
check in ``visible``. The entry of the current page is marked active: the one whose ``matches`` holds the
longest prefix of the current route's name.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.accounts.selectors import can_read_api_docs


@dataclass(frozen=True)
class Entry:
    """One link: where it goes, its icon and label, the routes it stands for, and who sees it."""

    url_name: str
    label: Promise
    icon: str = ""
    matches: tuple[str, ...] = ()
    visible: Callable | None = None

    def shows_for(self, user) -> bool:
        if self.visible is not None:
            return self.visible(user)
        return view_allows(self.url_name, user)

    def match_length(self, view_name: str) -> int:
        return max(
            (len(prefix) for prefix in self.matches or (self.url_name,) if view_name.startswith(prefix)), default=0
        )


@dataclass(frozen=True)
class Section:
    """A heading (``None``: none drawn) and its entries; a section with no entry the user may open is left out."""

    label: Promise | None
    entries: tuple[Entry, ...] = field(default_factory=tuple)


def view_allows(url_name: str, user) -> bool:
    """Whether ``user`` may open the page of ``url_name`` (a route without arguments), by the view's own check."""
    allows = _page_check(url_name)
    return allows is None or allows(user)


def url_allows(url: str, user) -> bool:
    """Whether ``user`` passes the access check of the page at ``url`` (``RoleRequiredMixin.allows``), so that
    a link is shown only where it leads somewhere; a page with no such check (admin, API) answers for itself."""
    allows = _check_of(resolve(url).func)
    return allows is None or allows(user)


def _check_of(view) -> Callable | None:
    return getattr(getattr(view, "view_class", None), "allows", None)


# A route's address and view do not change while the process runs: every page draws the whole menu,
# so each is resolved once instead of on every request.
@cache
def _page_check(url_name: str) -> Callable | None:
    return _check_of(resolve(reverse(url_name)).func)


@cache
def _path(url_name: str, script_prefix: str) -> str:
    return reverse(url_name)


@receiver(setting_changed, dispatch_uid="dms.menus.forget_routes")
def forget_routes(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _page_check.cache_clear()
        _path.cache_clear()


def _admin_site(user) -> bool:
    return user.is_active and user.is_staff


HQ_MENU = (
    Section(None, (Entry("hq:home", _("Dashboard"), "bi-speedometer2"),)),
    Section(
        _("Channel"),
        (
            Entry("dealers:list", _("Dealers"), "bi-shop", ("dealers:",)),
            Entry("dealers:document_queue", _("Documents to review"), "bi-patch-check"),
            Entry("dealers:application_list", _("Applications"), "bi-clipboard-check", ("dealers:application",)),
        ),
    ),
    Section(
        _("Orders"),
        (
            Entry("orders:list", _("Order desk"), "bi-receipt", ("orders:list", "orders:create", "orders:detail")),
            Entry("orders:approvals", _("Approval queue"), "bi-hourglass-split"),
            Entry("orders:products", _("Products"), "bi-box-seam", ("orders:product",)),
            Entry("orders:stock", _("Stock"), "bi-buildings"),
        ),
    ),
    Section(
        _("Leads"),
        (
            Entry("leads:list", _("Leads"), "bi-person-lines-fill", ("leads:list", "leads:create", "leads:detail")),
            Entry("leads:unassigned", _("Unassigned queue"), "bi-inboxes"),
            Entry("leads:funnel", _("Lead funnel"), "bi-funnel"),
            Entry("leads:registrations", _("Deal registrations"), "bi-shield-check", ("leads:registration",)),
            Entry("leads:rules", _("Assignment rules"), "bi-signpost-split", ("leads:rule",)),
            Entry("leads:sources", _("Lead sources"), "bi-globe2", ("leads:source",)),
            Entry("leads:import", _("Import leads"), "bi-upload"),
        ),
    ),
    Section(
        _("Logistics"),
        (
            Entry(
                "logistics:shipments", _("Shipments"), "bi-box-arrow-right", ("logistics:shipment", "logistics:freight")
            ),
            Entry("logistics:plans", _("Delivery plans"), "bi-signpost-2", ("logistics:plan", "logistics:route")),
            Entry("logistics:kpis", _("Delivery KPIs"), "bi-graph-up"),
            Entry("logistics:claims", _("Delivery claims"), "bi-exclamation-triangle", ("logistics:claim",)),
            Entry("logistics:carriers", _("Carriers"), "bi-truck", ("logistics:carrier",)),
            Entry("logistics:vehicles", _("Vehicles"), "bi-truck-front"),
        ),
    ),
    Section(
        _("Finance"),
        (
            Entry("orders:invoices", _("Invoices"), "bi-file-earmark-text", ("orders:invoice",)),
            Entry("orders:payments", _("Payments"), "bi-cash-coin", ("orders:payment",)),
            Entry("orders:aging", _("Aging"), "bi-bar-chart-steps"),
        ),
    ),
    Section(
        pgettext_lazy("menu section", "Administration"),
        (
            Entry("accounts:user_list", _("Users"), "bi-people", ("accounts:user",)),
            Entry("hq:audit", _("Audit log"), "bi-journal-text"),
            Entry("notifications:list", _("Notifications"), "bi-bell"),
            Entry("accounts:settings", _("My account"), "bi-person-gear"),
            Entry("api:docs", _("API documentation"), "bi-braces", visible=can_read_api_docs),
            Entry("admin:index", _("Admin"), "bi-tools", ("admin:",), visible=_admin_site),
        ),
    ),
)

PORTAL_MENU = (
    Section(
        None,
        (
            Entry("portal:home", _("Home")),
            Entry("portal:catalogue", _("Catalogue")),
            Entry("portal:cart", _("Cart")),
            Entry("portal:orders", _("Orders"), matches=("portal:order",)),
            Entry("portal:delivery_kpis", _("Deliveries")),
            Entry("portal:statement", _("Statement")),
            Entry("portal:leads", _("Leads"), matches=("portal:lead",)),
            Entry("portal:registrations", _("Deal registrations"), matches=("portal:registration",)),
            Entry("portal:documents", _("Documents")),
            Entry("portal:staff", _("Staff")),
            Entry("notifications:list", _("Notifications")),
            Entry("accounts:settings", _("My account")),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    """An entry as the layout draws it."""

    url: str
    label: Promise
    icon: str
    active: bool


class Menu:
    """The menu of one request: the sections with the entries the user may open, and their route names."""

    def __init__(self, user, view_name: str = ""):
        menu = PORTAL_MENU if user.is_dealer_user else HQ_MENU
        shown = [(section, [entry for entry in section.entries if entry.shows_for(user)]) for section in menu]
        self.allowed = frozenset(entry.url_name for _section, entries in shown for entry in entries)
        lengths = {entry.url_name: entry.match_length(view_name) for _section, entries in shown for entry in entries}
        longest = max(lengths.values(), default=0)
        self.sections = [
            (
                section.label,
                [
                    Link(
                        _path(entry.url_name, get_script_prefix()),
                        entry.label,
                        entry.icon,
                        longest > 0 and lengths[entry.url_name] == longest,
                    )
                    for entry in entries
                ],
            )
            for section, entries in shown
            if entries
        ]
