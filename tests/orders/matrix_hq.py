"""Permission-matrix entries for the orders app's order desk pages (see tests/platform/permission_matrix.py).

Every desk page is head office's; the sample order belongs to dealer 1, outside the rep's (empty)
territory. Actions are POSTed without input: access control decides before the form does, and a
refused action comes back to the order page as a message.
"""

from django.urls import reverse

from tests.platform.permission_matrix import HQ_ADMIN_ONLY, HQ_IN_SCOPE, HQ_ONLY

API: dict = {}
ORDER_ACTIONS = ("submit", "approve", "reject", "cancel", "ship", "deliver", "copy", "add_line", "remove_line")
ORDER_ROUTES = {"orders:detail", *(f"orders:{action}" for action in ORDER_ACTIONS)}


HTML = {
    ("GET", "orders:list"): HQ_ONLY,
    ("GET", "orders:picker_products"): HQ_ONLY,
    # The queue is for those who may approve (``approve_order``): in the matrix only the HQ administrator.
    ("GET", "orders:approvals"): HQ_ADMIN_ONLY,
    ("GET", "orders:create"): HQ_ONLY,
    ("GET", "orders:detail"): HQ_IN_SCOPE,
    **{("POST", f"orders:{action}"): HQ_IN_SCOPE for action in ORDER_ACTIONS},
}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    if param_path == "orders:deliver":
        return world["shipped_order"].pk
    if param_path in ORDER_ROUTES:
        return world["order"].pk
    return None


def html_url(name: str, world) -> str | None:
    """The URL of a route of ours that takes more than one argument, or None."""
    if name == "orders:remove_line":
        order = world["order"]
        return reverse(name, args=[order.pk, order.lines.first().pk])
    return None
