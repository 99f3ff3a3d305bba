"""Permission-matrix entries for the leads app's portal pages (see tests/platform/permission_matrix.py).

Portal pages are for dealer users; head office gets 403. The lead pages name the lead offered to dealer 1,
the registration page dealer 1's registration: dealer 1's users reach them (an action the lead does not
allow comes back as a message on the page), another dealer's administrator does not find them.
"""

from tests.platform.permission_matrix import DEALER_ONLY, HQ_ROLES, outcomes

OWN_OBJECT = outcomes(other_dealer="404", **dict.fromkeys(HQ_ROLES, "403"))
LEAD_ACTIONS = ("accept", "decline", "follow_up", "qualify", "won", "lost")

API: dict = {}
HTML = {
    ("GET", "portal:leads"): DEALER_ONLY,
    ("GET", "portal:lead_pipeline"): DEALER_ONLY,
    ("GET", "portal:lead_stats"): DEALER_ONLY,
    ("GET", "portal:lead_detail"): OWN_OBJECT,
    **{("POST", f"portal:lead_{action}"): OWN_OBJECT for action in LEAD_ACTIONS},
    ("GET", "portal:registrations"): DEALER_ONLY,
    ("GET", "portal:registration_create"): DEALER_ONLY,
    ("GET", "portal:registration_detail"): OWN_OBJECT,
}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    if param_path == "portal:lead_detail" or param_path in {f"portal:lead_{action}" for action in LEAD_ACTIONS}:
        return world["lead"].pk
    if param_path == "portal:registration_detail":
        return world["registration"].pk
    return None


def html_url(name: str, world) -> str | None:
    """The URL of a route of ours that takes more than one argument, or None."""
    return None
