"""Permission-matrix entries for the orders app's api routes (see tests/platform/permission_matrix.py).

The sample objects belong to dealer 1, outside the rep's (empty) territory; the sample order waits
for approval. Requests carry an empty body: where the body is checked before the service checks the
user's permission, a user without the permission gets the 400 (counted as getting through), and
where the service runs first, its 403.
"""

from tests.platform import permission_matrix

# (method, path) → the name of an outcome set of the harness, or a dict of differences from ``ok``.
ROUTES = {
    ("GET", "/api/v1/product-lines/"): "SIGNED_IN",
    ("POST", "/api/v1/product-lines/"): "HQ_ONLY",
    # Dealer 1 is authorised for the sample line; the other dealer is not.
    ("GET", "/api/v1/product-lines/{id}/"): {"other_dealer": "404"},
    # Editing the catalogue needs ``manage_catalogue``, which only the administrator holds here.
    ("PATCH", "/api/v1/product-lines/{id}/"): "HQ_ADMIN_ONLY",
    ("GET", "/api/v1/products/"): "SIGNED_IN",
    ("POST", "/api/v1/products/"): "HQ_ONLY",
    ("GET", "/api/v1/products/{id}/"): {"other_dealer": "404"},
    ("PATCH", "/api/v1/products/{id}/"): "HQ_ADMIN_ONLY",
    ("GET", "/api/v1/price-lists/"): "SIGNED_IN",
    ("POST", "/api/v1/price-lists/"): "HQ_ONLY",
    ("GET", "/api/v1/price-lists/{id}/"): "IN_DEALER_SCOPE",
    ("PATCH", "/api/v1/price-lists/{id}/"): {
        "hq_staff": "403",
        "sales_rep": "404",
        "dealer_admin": "403",
        "dealer_staff": "403",
        "other_dealer": "403",
    },
    ("GET", "/api/v1/dealer-authorizations/"): "HQ_ONLY",
    ("POST", "/api/v1/dealer-authorizations/"): "HQ_ONLY",
    ("GET", "/api/v1/dealer-authorizations/{id}/"): "HQ_IN_SCOPE",
    ("PATCH", "/api/v1/dealer-authorizations/{id}/"): {
        "hq_staff": "403",
        "sales_rep": "404",
        "dealer_admin": "403",
        "dealer_staff": "403",
        "other_dealer": "403",
    },
    ("GET", "/api/v1/warehouses/"): "HQ_ONLY",
    ("POST", "/api/v1/warehouses/"): "HQ_ONLY",
    ("GET", "/api/v1/warehouses/{id}/"): "HQ_ONLY",
    ("PATCH", "/api/v1/warehouses/{id}/"): "HQ_ADMIN_ONLY",
    ("GET", "/api/v1/stock/"): "HQ_ONLY",
    ("POST", "/api/v1/stock/adjust/"): "HQ_ONLY",
    ("GET", "/api/v1/orders/"): "SIGNED_IN",
    # A dealer user's empty body starts an empty draft for their own dealer.
    ("POST", "/api/v1/orders/"): "SIGNED_IN",
    ("GET", "/api/v1/orders/{id}/"): "IN_DEALER_SCOPE",
    ("PATCH", "/api/v1/orders/{id}/"): "IN_DEALER_SCOPE",
    ("POST", "/api/v1/orders/{id}/submit/"): "IN_DEALER_SCOPE",
    ("POST", "/api/v1/orders/{id}/approve/"): {
        "hq_staff": "403",
        "sales_rep": "404",
        "dealer_admin": "403",
        "dealer_staff": "403",
        "other_dealer": "403",
    },
    ("POST", "/api/v1/orders/{id}/reject/"): "HQ_IN_SCOPE",
    ("POST", "/api/v1/orders/{id}/cancel/"): "IN_DEALER_SCOPE",
    ("POST", "/api/v1/orders/{id}/ship/"): {
        "hq_staff": "403",
        "sales_rep": "404",
        "dealer_admin": "403",
        "dealer_staff": "403",
        "other_dealer": "403",
    },
    # Dealer users confirm delivery of their own orders; head office needs ``ship_order``.
    ("POST", "/api/v1/orders/{id}/deliver/"): {"hq_staff": "403", "sales_rep": "404", "other_dealer": "404"},
    ("POST", "/api/v1/orders/{id}/copy/"): "IN_DEALER_SCOPE",
    ("GET", "/api/v1/invoices/"): "SIGNED_IN",
    ("GET", "/api/v1/invoices/{id}/"): "IN_DEALER_SCOPE",
    ("GET", "/api/v1/payments/"): "SIGNED_IN",
    ("POST", "/api/v1/payments/"): "HQ_ONLY",
    ("GET", "/api/v1/payments/{id}/"): "IN_DEALER_SCOPE",
    ("GET", "/api/v1/dealers/{id}/credit/"): "IN_DEALER_SCOPE",
    ("POST", "/api/v1/dealers/{id}/credit-limit/"): "HQ_IN_SCOPE",
}

OBJECTS = {
    "/api/v1/product-lines/": "product_line",
    "/api/v1/products/": "product",
    "/api/v1/price-lists/": "price_list",
    "/api/v1/dealer-authorizations/": "authorization",
    "/api/v1/warehouses/": "warehouse",
    "/api/v1/orders/": "order",
    "/api/v1/invoices/": "invoice",
    "/api/v1/payments/": "payment",
    "/api/v1/dealers/{id}/credit": "dealer",
}


def _expand(outcome):
    if isinstance(outcome, str):
        return getattr(permission_matrix, outcome)
    return permission_matrix.outcomes(**outcome)


API = {operation: _expand(outcome) for operation, outcome in ROUTES.items()}
HTML: dict = {}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    for prefix, key in OBJECTS.items():
        if param_path.startswith(prefix):
            return world[key].pk
    return None


def html_url(name: str, world) -> str | None:
    """No HTML routes here."""
    return None
