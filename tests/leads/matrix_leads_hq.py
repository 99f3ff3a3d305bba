"""Permission-matrix entries for the leads app's head-office pages (see tests/platform/permission_matrix.py).

Every lead desk page is head office's. The sample lead is offered to dealer 1 and the sample registration
is dealer 1's, both outside the rep's (empty) territory. Actions are POSTed without input: access control
decides before the form does, and a refused action comes back to the object's page as a message.
"""

from tests.platform.permission_matrix import HQ_IN_SCOPE, HQ_ONLY

API: dict = {}
LEAD_ROUTES = ("leads:detail", "leads:assign")
REGISTRATION_ROUTES = ("leads:registration_detail", "leads:registration_approve", "leads:registration_reject")

HTML = {
    ("GET", "leads:list"): HQ_ONLY,
    ("GET", "leads:unassigned"): HQ_ONLY,
    ("GET", "leads:create"): HQ_ONLY,
    ("GET", "leads:funnel"): HQ_ONLY,
    ("GET", "leads:detail"): HQ_IN_SCOPE,
    ("POST", "leads:assign"): HQ_IN_SCOPE,
    ("GET", "leads:registrations"): HQ_ONLY,
    ("GET", "leads:registration_detail"): HQ_IN_SCOPE,
    ("POST", "leads:registration_approve"): HQ_IN_SCOPE,
    ("POST", "leads:registration_reject"): HQ_IN_SCOPE,
}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    if param_path in LEAD_ROUTES:
        return world["lead"].pk
    if param_path in REGISTRATION_ROUTES:
        return world["registration"].pk
    return None


def html_url(name: str, world) -> str | None:
    """No route of ours takes more than one argument."""
    return None
