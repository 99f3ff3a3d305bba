"""Permission-matrix entries for the orders app's portal routes (see tests/platform/permission_matrix.py).

Portal pages are for dealer users; head office gets 403. The order pages name dealer 1's order waiting for
approval (its shipped order for confirming delivery): dealer 1's users reach it, and an action the order
does not allow comes back as a message on the page; another dealer's administrator does not find it.
"""

from tests.platform.permission_matrix import DEALER_ONLY, HQ_ROLES, outcomes

API: dict = {}
CART_ACTIONS = ("add", "update", "remove", "quick", "paste", "upload", "details", "submit")
ORDER_ACTIONS = ("cancel", "deliver", "reorder", "edit", "submit")


OWN_ORDER = outcomes(other_dealer="404", **dict.fromkeys(HQ_ROLES, "403"))
HTML = {
    ("GET", "portal:catalogue"): DEALER_ONLY,
    ("GET", "portal:cart"): DEALER_ONLY,
    **{("POST", f"portal:cart_{action}"): DEALER_ONLY for action in CART_ACTIONS},
    ("GET", "portal:orders"): DEALER_ONLY,
    ("GET", "portal:order_detail"): OWN_ORDER,
    **{("POST", f"portal:order_{action}"): OWN_ORDER for action in ORDER_ACTIONS},
    ("GET", "portal:statement"): DEALER_ONLY,
}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    if param_path == "portal:order_deliver":
        return world["shipped_order"].pk
    if param_path.startswith("portal:order_"):
        return world["order"].pk
    return None


def html_url(name: str, world) -> str | None:
    """The URL of a route of ours that takes more than one argument, or None."""
    return None
