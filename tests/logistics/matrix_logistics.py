"""Permission-matrix entries for the logistics app (see tests/platform/permission_matrix.py).

Carriers, rate cards and vehicles are head office's, for who manages the fleet or ships orders: of the
matrix's users only the HQ administrator. Other HQ users list nothing and find no single record; dealers
are refused. Requests carry an empty body, so a write that gets through answers 400.

The sample shipment carries dealer 1's shipped order, on its way: dealer 1's users read it and sign for it;
planning, dispatching and tracking are head office's, and need ``ship_order`` where the service decides.
"""

from django.urls import reverse

from tests.platform import permission_matrix as matrix

ADMIN_ONLY_IN_SCOPE = matrix.outcomes(hq_staff="404", sales_rep="404", **dict.fromkeys(matrix.DEALER_ROLES, "403"))
FLEET_PAGE = matrix.outcomes(default="403", hq_admin="ok")

API = {}
for plural in ("carriers", "rate-cards", "vehicles"):
    API[("GET", f"/api/v1/{plural}/")] = matrix.HQ_ONLY
    API[("POST", f"/api/v1/{plural}/")] = matrix.HQ_ONLY
    API[("GET", f"/api/v1/{plural}/{{id}}/")] = ADMIN_ONLY_IN_SCOPE
    API[("PATCH", f"/api/v1/{plural}/{{id}}/")] = ADMIN_ONLY_IN_SCOPE
API[("GET", "/api/v1/carriers/{id}/quote/")] = ADMIN_ONLY_IN_SCOPE
SHIPPER_IN_SCOPE = matrix.outcomes(hq_staff="403", sales_rep="404", **dict.fromkeys(matrix.DEALER_ROLES, "403"))
API.update(
    {
        ("GET", "/api/v1/shipments/"): matrix.SIGNED_IN,
        # Figures over the shipments in the reader's scope: a rep without a territory gets empty ones.
        ("GET", "/api/v1/shipments/kpis/"): matrix.SIGNED_IN,
        ("POST", "/api/v1/shipments/"): matrix.HQ_ONLY,
        ("GET", "/api/v1/shipments/{id}/"): matrix.IN_DEALER_SCOPE,
        ("POST", "/api/v1/shipments/{id}/dispatch/"): SHIPPER_IN_SCOPE,
        ("POST", "/api/v1/shipments/{id}/deliver/"): matrix.outcomes(
            hq_staff="403", sales_rep="404", other_dealer="404"
        ),
        ("POST", "/api/v1/shipments/{id}/cancel/"): matrix.HQ_IN_SCOPE,
        ("GET", "/api/v1/shipments/{id}/events/"): matrix.IN_DEALER_SCOPE,
        ("POST", "/api/v1/shipments/{id}/events/"): matrix.HQ_IN_SCOPE,
        # The body is checked before the service decides who may record a charge: the empty one answers 400.
        ("POST", "/api/v1/shipments/{id}/charge/"): matrix.HQ_IN_SCOPE,
        ("POST", "/api/v1/shipments/charges/import/"): matrix.HQ_ONLY,
        ("GET", "/api/v1/delivery-claims/"): matrix.SIGNED_IN,
        ("POST", "/api/v1/delivery-claims/"): matrix.SIGNED_IN,
        ("GET", "/api/v1/delivery-claims/{id}/"): matrix.IN_DEALER_SCOPE,
        ("POST", "/api/v1/delivery-claims/{id}/resolve/"): matrix.HQ_IN_SCOPE,
        ("GET", "/api/v1/delivery-plans/"): matrix.HQ_ONLY,
        ("POST", "/api/v1/delivery-plans/"): matrix.HQ_ONLY,
        ("GET", "/api/v1/delivery-plans/{id}/"): ADMIN_ONLY_IN_SCOPE,
        **{
            ("POST", f"/api/v1/delivery-plans/{{id}}/{action}/"): ADMIN_ONLY_IN_SCOPE
            for action in ("reoptimise", "dispatch", "move-stop", "lock-route")
        },
    }
)

HTML = {
    ("GET", "logistics:carriers"): FLEET_PAGE,
    ("GET", "logistics:carrier_detail"): FLEET_PAGE,
    ("GET", "logistics:vehicles"): FLEET_PAGE,
    ("GET", "logistics:shipments"): matrix.HQ_ONLY,
    ("GET", "logistics:kpis"): matrix.HQ_ONLY,
    ("GET", "portal:delivery_kpis"): matrix.DEALER_ONLY,
    ("GET", "logistics:shipment_detail"): matrix.HQ_IN_SCOPE,
    **{
        ("POST", f"logistics:shipment_{action}"): matrix.HQ_IN_SCOPE
        for action in ("dispatch", "deliver", "track", "cancel", "charge")
    },
    ("GET", "logistics:plans"): FLEET_PAGE,
    ("POST", "logistics:plan_request"): FLEET_PAGE,
    ("GET", "logistics:plan_detail"): FLEET_PAGE,
    **{
        ("POST", f"logistics:plan_{action}"): FLEET_PAGE
        for action in ("reoptimise", "dispatch", "move_stop", "lock_route")
    },
    ("GET", "logistics:route_sheet"): FLEET_PAGE,
    ("GET", "logistics:route_driver"): FLEET_PAGE,
    # Planning needs ``ship_order``, decided before the order is looked up.
    ("GET", "logistics:shipment_plan"): matrix.HQ_ADMIN_ONLY,
    # Importing carriers' bills needs ``ship_order`` too, which only the administrator of the matrix holds.
    ("GET", "logistics:freight_import"): matrix.HQ_ADMIN_ONLY,
    ("POST", "portal:shipment_receive"): matrix.outcomes(other_dealer="404", **dict.fromkeys(matrix.HQ_ROLES, "403")),
    ("POST", "logistics:shipment_claim"): matrix.HQ_IN_SCOPE,
    ("GET", "logistics:claims"): matrix.HQ_ONLY,
    ("GET", "logistics:claim_detail"): matrix.HQ_IN_SCOPE,
    ("POST", "logistics:claim_resolve"): matrix.HQ_IN_SCOPE,
    ("GET", "logistics:claim_photo"): matrix.HQ_IN_SCOPE,
    ("POST", "portal:shipment_claim"): matrix.outcomes(other_dealer="404", **dict.fromkeys(matrix.HQ_ROLES, "403")),
    ("GET", "logistics:shipment_photo"): matrix.HQ_IN_SCOPE,
    ("GET", "portal:shipment_photo"): matrix.outcomes(other_dealer="404", **dict.fromkeys(matrix.HQ_ROLES, "403")),
    ("GET", "portal:claim_photo"): matrix.outcomes(other_dealer="404", **dict.fromkeys(matrix.HQ_ROLES, "403")),
}

OBJECTS = {
    "/api/v1/carriers/": "carrier",
    "/api/v1/rate-cards/": "rate_card",
    "/api/v1/vehicles/": "vehicle",
    "logistics:carrier": "carrier",
    "/api/v1/shipments/": "shipment",
    "logistics:shipment": "shipment",
    "portal:shipment": "shipment",
    "/api/v1/delivery-plans/": "delivery_plan",
    "logistics:plan": "delivery_plan",
    "logistics:route": "route",
    "/api/v1/delivery-claims/": "claim",
    "logistics:claim": "claim",
    "portal:claim": "claim",
}


def object_id(param_path: str, world) -> int | None:
    if param_path == "logistics:shipment_plan":
        return world["shipped_order"].pk
    for prefix, key in OBJECTS.items():
        if param_path.startswith(prefix):
            return world[key].pk
    return None


def html_url(name: str, world) -> str | None:
    if name == "logistics:carrier_detail":
        return reverse(name, args=[world["carrier"].pk])
    return None
