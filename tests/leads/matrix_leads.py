"""Permission-matrix entries for the leads app's routes (see tests/platform/permission_matrix.py).

The sample lead is offered to dealer 1, outside the rep's (empty) territory. Requests carry an empty
body: where the body is checked after access control, the 400 counts as getting through.
"""

from tests.platform.permission_matrix import HQ_IN_SCOPE, HQ_ONLY, IN_DEALER_SCOPE, PUBLIC, SIGNED_IN, outcomes

# Only the dealer holding the offer answers it; head office's roles may not.
DEALER_ON_OFFER = outcomes(hq_admin="403", hq_staff="403", sales_rep="403", other_dealer="404")

API = {
    # The source key is the only credential here: without it everyone, signed in or not, gets 401.
    ("POST", "/api/v1/public/leads/"): outcomes(default="login"),
    ("GET", "/api/v1/leads/"): SIGNED_IN,
    ("POST", "/api/v1/leads/"): HQ_ONLY,
    ("GET", "/api/v1/leads/{id}/"): IN_DEALER_SCOPE,
    ("POST", "/api/v1/leads/{id}/accept/"): DEALER_ON_OFFER,
    ("POST", "/api/v1/leads/{id}/decline/"): DEALER_ON_OFFER,
    ("POST", "/api/v1/leads/{id}/assign/"): HQ_IN_SCOPE,
    # The sample lead is only offered, not accepted: the empty body is refused before the service says so.
    ("POST", "/api/v1/leads/{id}/mark-won/"): DEALER_ON_OFFER,
    ("POST", "/api/v1/leads/{id}/mark-lost/"): DEALER_ON_OFFER,
    ("GET", "/api/v1/leads/{id}/follow-ups/"): IN_DEALER_SCOPE,
    ("POST", "/api/v1/leads/{id}/follow-ups/"): DEALER_ON_OFFER,
}
HTML = {
    ("GET", "enquiry:form"): PUBLIC,
    ("GET", "enquiry:thanks"): PUBLIC,
}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    if param_path.startswith("/api/v1/leads/"):
        return world["lead"].pk
    return None


def html_url(name: str, world) -> str | None:
    """No route of ours takes arguments."""
    return None
