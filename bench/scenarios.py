"""The requests the benchmark measures, one line each; the first one is the baseline the others are compared with.

A scenario is made as one of the benchmark's users (``bench/data.py``): ``admin`` (HQ administrator),
``staff`` (HQ staff with Zhejiang), ``rep`` (sales rep with Guangdong), ``dealer_admin`` and
``dealer_staff`` (of the big dealer). API scenarios send that user's token, pages their session.
A path may name a sample row in braces (``{lead}``), filled in from ``data.samples()``.

Adding an app's list is one line: ``api("/api/v1/<list>/")`` for each API list (the runner fails when an
API list operation of the OpenAPI schema has none), ``page("/hq/<list>/")`` for each HTML list.
"""

from dataclasses import dataclass

# Targets of issue 12, as a share of the baseline's throughput measured in the same run.
API_RATIO = 0.10
API_P95_MS = 20.0
PAGE_RATIO = 0.05


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    kind: str  # "baseline", "api" or "page"
    user: str | None = None
    # The query parameter that sets the page size: the runner checks that a small page and a full one
    # cost the same number of queries. None for pages that are not paginated lists.
    size_param: str | None = None

    @property
    def auth(self) -> str:
        if self.user is None:
            return "anonymous"
        return "token" if self.kind == "api" else "session"

    @property
    def target_ratio(self) -> float | None:
        return {"api": API_RATIO, "page": PAGE_RATIO}.get(self.kind)

    @property
    def p95_limit_ms(self) -> float | None:
        return API_P95_MS if self.kind == "api" else None

    @property
    def sizes(self) -> tuple[int, int]:
        """The small and the full page size compared for the query count (HTML lists offer 20, 50 and 100)."""
        return (3, 100) if self.size_param == "page_size" else (20, 100)


def api(path: str, user: str = "admin", *, paginated: bool = True) -> Scenario:
    name = path.removeprefix("/api/v1/").strip("/")
    return Scenario(f"api {name} · {user}", path, "api", user, "page_size" if paginated else None)


def page(path: str, user: str = "admin", *, paginated: bool = True) -> Scenario:
    return Scenario(f"page {path} · {user}", path, "page", user, "per_page" if paginated else None)


BASELINE = Scenario("healthz (baseline)", "/healthz", "baseline")

SCENARIOS = [
    BASELINE,
    # API lists as head office's administrator, with a token.
    api("/api/v1/users/"),
    api("/api/v1/tokens/"),
    api("/api/v1/events/"),
    api("/api/v1/notifications/"),
    api("/api/v1/regions/"),
    api("/api/v1/dealers/"),
    api("/api/v1/document-types/", paginated=False),
    api("/api/v1/documents/"),
    api("/api/v1/dealer-applications/"),
    api("/api/v1/product-lines/"),
    api("/api/v1/products/"),
    api("/api/v1/price-lists/"),
    api("/api/v1/dealer-authorizations/"),
    api("/api/v1/warehouses/"),
    api("/api/v1/stock/"),
    api("/api/v1/orders/"),
    api("/api/v1/invoices/"),
    api("/api/v1/payments/"),
    api("/api/v1/leads/"),
    api("/api/v1/leads/{lead}/follow-ups/", paginated=False),
    api("/api/v1/assignment-rules/"),
    api("/api/v1/deal-registrations/"),
    api("/api/v1/shipments/"),
    api("/api/v1/shipments/{shipment}/events/", paginated=False),
    api("/api/v1/delivery-claims/"),
    api("/api/v1/carriers/"),
    api("/api/v1/rate-cards/"),
    api("/api/v1/vehicles/"),
    api("/api/v1/delivery-plans/"),
    # The lists a territory-bound sales rep reads through the API.
    api("/api/v1/dealers/", "rep"),
    api("/api/v1/orders/", "rep"),
    api("/api/v1/leads/", "rep"),
    # The lists a dealer's systems read, as the big dealer's administrator.
    api("/api/v1/orders/", "dealer_admin"),
    api("/api/v1/invoices/", "dealer_admin"),
    api("/api/v1/payments/", "dealer_admin"),
    api("/api/v1/leads/", "dealer_admin"),
    api("/api/v1/deal-registrations/", "dealer_admin"),
    api("/api/v1/documents/", "dealer_admin"),
    api("/api/v1/products/", "dealer_admin"),
    api("/api/v1/notifications/", "dealer_admin"),
    api("/api/v1/shipments/", "dealer_admin"),
    api("/api/v1/delivery-claims/", "dealer_admin"),
    # Head office's console as its administrator.
    page("/hq/", paginated=False),
    page("/hq/dealers/"),
    page("/hq/dealers/applications/"),
    page("/hq/dealers/documents/"),
    page("/hq/orders/"),
    page("/hq/orders/approvals/"),
    page("/hq/products/"),
    page("/hq/stock/"),
    page("/hq/invoices/"),
    page("/hq/payments/"),
    page("/hq/aging/", paginated=False),
    page("/hq/leads/"),
    page("/hq/leads/unassigned/"),
    page("/hq/leads/funnel/", paginated=False),
    page("/hq/leads/registrations/"),
    page("/hq/leads/imports/"),
    page("/hq/leads/rules/"),
    page("/hq/leads/sources/"),
    page("/hq/logistics/shipments/"),
    page("/hq/logistics/claims/"),
    page("/hq/logistics/kpis/", paginated=False),
    page("/hq/logistics/plans/"),
    page("/hq/logistics/carriers/"),
    page("/hq/logistics/vehicles/"),
    page("/hq/users/"),
    page("/hq/audit/"),
    page("/notifications/"),
    # Every open page polls the bell once a minute.
    page("/notifications/bell/", paginated=False),
    # The same console as a sales rep, whose lists are scoped to their territory.
    page("/hq/", "rep", paginated=False),
    page("/hq/dealers/", "rep"),
    page("/hq/orders/", "rep"),
    page("/hq/invoices/", "rep"),
    page("/hq/leads/", "rep"),
    # The partner portal as the big dealer's administrator.
    page("/portal/", "dealer_admin", paginated=False),
    page("/portal/documents/", "dealer_admin"),
    page("/portal/staff/", "dealer_admin"),
    page("/portal/catalogue/", "dealer_admin"),
    page("/portal/orders/", "dealer_admin"),
    page("/portal/statement/", "dealer_admin"),
    page("/portal/deliveries/kpis/", "dealer_admin", paginated=False),
    page("/portal/leads/", "dealer_admin"),
    page("/portal/leads/pipeline/", "dealer_admin", paginated=False),
    page("/portal/leads/figures/", "dealer_admin", paginated=False),
    page("/portal/registrations/", "dealer_admin"),
    page("/notifications/", "dealer_admin"),
]
