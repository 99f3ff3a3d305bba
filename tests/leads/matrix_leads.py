"""Permission-matrix entries for the leads app's routes (see tests/platform/permission_matrix.py).

The sample lead is offered to dealer 1, outside the rep's (empty) territory. Requests carry an empty
body: where the body is checked after access control, the 400 counts as getting through.
"""

from django.urls import reverse

from tests.platform.permission_matrix import (
    DEALER_ONLY,
    HQ_ADMIN_ONLY,
    HQ_IN_SCOPE,
    HQ_ONLY,
    IN_DEALER_SCOPE,
    PUBLIC,
    SIGNED_IN,
    outcomes,
)

# Only the dealer holding the offer answers it; head office's roles may not.
DEALER_ON_OFFER = outcomes(hq_admin="403", hq_staff="403", sales_rep="403", other_dealer="404")
# Rules and sources change with ``manage_lead_routing``: in the matrix only the HQ administrator holds it.
ROUTING = HQ_ADMIN_ONLY
# Lead files are imported by head-office administrators and staff, not sales reps.
IMPORTS = outcomes(sales_rep="403", dealer_admin="403", dealer_staff="403", other_dealer="403")
# The sample import is the HQ administrator's: other head-office staff do not find it, reps and dealers are refused.
IMPORT_OWNER = outcomes(hq_staff="404", sales_rep="403", dealer_admin="403", dealer_staff="403", other_dealer="403")
# Rules and sources are read by head-office administrators and staff; sales reps do not see the routing.
ROUTING_READ = IMPORTS

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
    ("GET", "/api/v1/assignment-rules/"): HQ_ONLY,
    ("POST", "/api/v1/assignment-rules/"): ROUTING,
    ("GET", "/api/v1/assignment-rules/{id}/"): HQ_ONLY,
    ("PATCH", "/api/v1/assignment-rules/{id}/"): ROUTING,
    ("GET", "/api/v1/deal-registrations/"): SIGNED_IN,
    # Dealer users register; the empty body is refused after access control.
    ("POST", "/api/v1/deal-registrations/"): DEALER_ONLY,
    # The sample registration is dealer 1's, outside the rep's (empty) territory.
    ("GET", "/api/v1/deal-registrations/{id}/"): IN_DEALER_SCOPE,
    ("POST", "/api/v1/deal-registrations/{id}/approve/"): HQ_IN_SCOPE,
    ("POST", "/api/v1/deal-registrations/{id}/reject/"): HQ_IN_SCOPE,
}
HTML = {
    ("GET", "enquiry:form"): PUBLIC,
    ("GET", "enquiry:thanks"): PUBLIC,
    ("GET", "leads:import"): IMPORTS,
    ("GET", "leads:import_template"): IMPORTS,
    ("GET", "leads:imports"): IMPORTS,
    ("GET", "leads:import_detail"): IMPORT_OWNER,
    ("GET", "leads:import_errors"): IMPORT_OWNER,
    ("GET", "leads:rules"): ROUTING_READ,
    ("GET", "leads:rule_create"): ROUTING,
    ("GET", "leads:rule_edit"): ROUTING,
    ("POST", "leads:rule_deactivate"): ROUTING,
    ("GET", "leads:sources"): ROUTING_READ,
    ("GET", "leads:source_create"): ROUTING,
    ("POST", "leads:source_rotate"): ROUTING,
    ("POST", "leads:source_deactivate"): ROUTING,
}
# Routes of ours whose one argument names a world object, by the object's key in the world.
HTML_OBJECTS = {
    "leads:import_detail": "lead_import",
    "leads:import_errors": "lead_import",
    "leads:rule_edit": "rule",
    "leads:rule_deactivate": "rule",
    "leads:source_rotate": "lead_source",
    "leads:source_deactivate": "lead_source",
}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    if param_path.startswith("/api/v1/leads/"):
        return world["lead"].pk
    if param_path.startswith("/api/v1/deal-registrations/"):
        return world["registration"].pk
    if param_path.startswith("/api/v1/assignment-rules/"):
        return world["rule"].pk
    return None


def html_url(name: str, world) -> str | None:
    """The URL of a route of ours that takes an argument, or None."""
    if name in HTML_OBJECTS:
        return reverse(name, args=[world[HTML_OBJECTS[name]].pk])
    return None
