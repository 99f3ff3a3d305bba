"""The declared permission matrix and the code that checks it.

Every operation in the OpenAPI schema and every named HTML route needs an entry here saying, per
role, what happens: ``ok`` (the request gets past access control), ``login`` (anonymous: redirect
to the sign-in page, or 401 from the API), ``403`` (signed in, wrong role) or ``404`` (the object
is outside the user's scope). A new endpoint without an entry fails the build.

Objects in paths belong to the viewer where they have an owner (tokens, notifications); the
``other_dealer`` column is an administrator of another dealer aiming at the objects of dealer 1's
administrator, so it checks that nobody reaches across organisations.
"""

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.views import APIView

ROLES = ("anonymous", "hq_admin", "hq_staff", "sales_rep", "dealer_admin", "dealer_staff", "other_dealer")
HQ_ROLES = ("hq_admin", "hq_staff", "sales_rep")
DEALER_ROLES = ("dealer_admin", "dealer_staff", "other_dealer")


def outcomes(anonymous="login", **by_role):
    default = by_role.pop("default", "ok")
    return {"anonymous": anonymous, **{role: by_role.get(role, default) for role in ROLES[1:]}}


PUBLIC = outcomes(anonymous="ok")
SIGNED_IN = outcomes()
# Objects with an owner: everyone reaches their own; another organisation's is not found.
OWN_OBJECT = outcomes(other_dealer="404")
HQ_ONLY = outcomes(**dict.fromkeys(DEALER_ROLES, "403"))
HQ_ADMIN_ONLY = outcomes(default="403", hq_admin="ok")
DEALER_ONLY = outcomes(**dict.fromkeys(HQ_ROLES, "403"))

API = {
    ("POST", "/api/v1/auth/token/"): PUBLIC,
    ("GET", "/api/v1/me/"): SIGNED_IN,
    ("GET", "/api/v1/users/"): HQ_ADMIN_ONLY,
    ("POST", "/api/v1/users/"): HQ_ADMIN_ONLY,
    ("GET", "/api/v1/users/{id}/"): HQ_ADMIN_ONLY,
    ("PATCH", "/api/v1/users/{id}/"): HQ_ADMIN_ONLY,
    ("POST", "/api/v1/users/{id}/deactivate/"): HQ_ADMIN_ONLY,
    ("POST", "/api/v1/users/{id}/reactivate/"): HQ_ADMIN_ONLY,
    ("GET", "/api/v1/tokens/"): SIGNED_IN,
    ("POST", "/api/v1/tokens/"): SIGNED_IN,
    ("GET", "/api/v1/tokens/{id}/"): OWN_OBJECT,
    ("POST", "/api/v1/tokens/{id}/revoke/"): OWN_OBJECT,
    ("GET", "/api/v1/events/"): SIGNED_IN,
    # The sample event concerns dealer 1: the rep neither acted on it nor covers it.
    ("GET", "/api/v1/events/{id}/"): outcomes(sales_rep="404", other_dealer="404"),
    ("GET", "/api/v1/notifications/"): SIGNED_IN,
    ("GET", "/api/v1/notifications/{id}/"): OWN_OBJECT,
    ("POST", "/api/v1/notifications/{id}/read/"): OWN_OBJECT,
    ("POST", "/api/v1/notifications/read-all/"): SIGNED_IN,
}

# The sample dealer is dealer 1 (Hangzhou): the rep neither owns nor covers it.
IN_DEALER_SCOPE = outcomes(sales_rep="404", other_dealer="404")
HQ_IN_SCOPE = outcomes(sales_rep="404", **dict.fromkeys(DEALER_ROLES, "403"))

API.update(
    {
        ("GET", "/api/v1/regions/"): SIGNED_IN,
        ("GET", "/api/v1/regions/{id}/"): SIGNED_IN,
        ("POST", "/api/v1/regions/"): HQ_ADMIN_ONLY,
        ("PATCH", "/api/v1/regions/{id}/"): HQ_ADMIN_ONLY,
        ("GET", "/api/v1/dealers/"): SIGNED_IN,
        ("POST", "/api/v1/dealers/"): HQ_ONLY,
        ("GET", "/api/v1/dealers/{id}/"): IN_DEALER_SCOPE,
        ("PATCH", "/api/v1/dealers/{id}/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/dealers/{id}/change-status/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/dealers/{id}/change-tier/"): HQ_IN_SCOPE,
        ("GET", "/api/v1/document-types/"): SIGNED_IN,
        ("GET", "/api/v1/documents/"): SIGNED_IN,
        ("POST", "/api/v1/documents/"): SIGNED_IN,
        ("GET", "/api/v1/documents/{id}/"): IN_DEALER_SCOPE,
        ("POST", "/api/v1/documents/{id}/verify/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/documents/{id}/reject/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/public/dealer-applications/"): PUBLIC,
        ("GET", "/api/v1/dealer-applications/"): HQ_ONLY,
        ("POST", "/api/v1/dealer-applications/"): HQ_ONLY,
        # The sample application wants Hangzhou: outside the rep's (empty) territory.
        ("GET", "/api/v1/dealer-applications/{id}/"): HQ_IN_SCOPE,
        ("GET", "/api/v1/dealer-applications/{id}/scorecard/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/dealer-applications/{id}/start-review/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/dealer-applications/{id}/score/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/dealer-applications/{id}/approve/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/dealer-applications/{id}/reject/"): HQ_IN_SCOPE,
        ("POST", "/api/v1/dealer-applications/{id}/request-info/"): HQ_IN_SCOPE,
    }
)

HTML = {
    ("GET", "home"): SIGNED_IN,
    ("GET", "healthz"): PUBLIC,
    ("GET", "readyz"): PUBLIC,
    ("GET", "login"): PUBLIC,
    # Signing out always ends on the sign-in page, whoever asks.
    ("POST", "logout"): outcomes(default="login"),
    ("GET", "password_change"): SIGNED_IN,
    ("GET", "password_change_done"): SIGNED_IN,
    ("GET", "password_reset"): PUBLIC,
    ("GET", "password_reset_done"): PUBLIC,
    ("GET", "password_reset_confirm"): PUBLIC,
    ("GET", "password_reset_complete"): PUBLIC,
    ("GET", "accounts:settings"): SIGNED_IN,
    ("POST", "accounts:token_create"): SIGNED_IN,
    ("POST", "accounts:token_revoke"): OWN_OBJECT,
    ("POST", "accounts:preferences"): SIGNED_IN,
    ("POST", "accounts:language"): PUBLIC,
    ("GET", "accounts:user_list"): HQ_ADMIN_ONLY,
    ("GET", "accounts:user_create"): HQ_ADMIN_ONLY,
    ("GET", "accounts:user_detail"): HQ_ADMIN_ONLY,
    ("GET", "accounts:user_edit"): HQ_ADMIN_ONLY,
    ("POST", "accounts:user_deactivate"): HQ_ADMIN_ONLY,
    ("POST", "accounts:user_reactivate"): HQ_ADMIN_ONLY,
    ("GET", "notifications:list"): SIGNED_IN,
    ("GET", "notifications:bell"): SIGNED_IN,
    ("POST", "notifications:read_all"): SIGNED_IN,
    ("POST", "notifications:read"): OWN_OBJECT,
    ("POST", "saved_filter_create"): SIGNED_IN,
    ("POST", "saved_filter_delete"): OWN_OBJECT,
    ("GET", "hq:home"): HQ_ONLY,
    ("GET", "hq:audit"): HQ_ONLY,
    ("GET", "hq:search"): HQ_ONLY,
    ("GET", "portal:home"): DEALER_ONLY,
    ("GET", "portal:search"): DEALER_ONLY,
    ("GET", "dealers:list"): HQ_ONLY,
    ("GET", "dealers:picker_dealers"): HQ_ONLY,
    ("GET", "dealers:picker_regions"): HQ_ONLY,
    ("GET", "dealers:picker_owners"): HQ_ONLY,
    ("GET", "dealers:create"): HQ_ONLY,
    ("GET", "dealers:detail"): HQ_IN_SCOPE,
    ("GET", "dealers:section"): HQ_IN_SCOPE,
    ("GET", "dealers:document_queue"): HQ_ONLY,
    ("GET", "dealers:edit"): HQ_IN_SCOPE,
    ("POST", "dealers:change_status"): HQ_IN_SCOPE,
    ("POST", "dealers:change_tier"): HQ_IN_SCOPE,
    ("POST", "dealers:contact_add"): HQ_IN_SCOPE,
    ("POST", "dealers:contact_remove"): HQ_IN_SCOPE,
    ("POST", "dealers:document_upload"): HQ_IN_SCOPE,
    ("POST", "dealers:document_verify"): HQ_IN_SCOPE,
    ("POST", "dealers:document_reject"): HQ_IN_SCOPE,
    ("GET", "documents:file"): IN_DEALER_SCOPE,
    ("GET", "portal:documents"): DEALER_ONLY,
    ("GET", "dealers:import"): HQ_ONLY,
    ("GET", "portal:staff"): outcomes(default="403", dealer_admin="ok", other_dealer="ok"),
    # The sample staff account belongs to dealer 1: another dealer's administrator does not find it.
    ("POST", "portal:staff_deactivate"): outcomes(default="403", dealer_admin="ok", other_dealer="404"),
    ("POST", "portal:staff_reactivate"): outcomes(default="403", dealer_admin="ok", other_dealer="404"),
    ("GET", "apply:form"): PUBLIC,
    ("GET", "apply:status"): PUBLIC,
    ("GET", "dealers:application_list"): HQ_ONLY,
    ("GET", "dealers:application_create"): HQ_ONLY,
    ("GET", "dealers:application_detail"): HQ_IN_SCOPE,
    ("POST", "dealers:application_start_review"): HQ_IN_SCOPE,
    ("POST", "dealers:application_score"): HQ_IN_SCOPE,
    ("POST", "dealers:application_request_info"): HQ_IN_SCOPE,
    ("POST", "dealers:application_reject"): HQ_IN_SCOPE,
    ("POST", "dealers:application_approve"): HQ_IN_SCOPE,
    ("GET", "api:schema"): SIGNED_IN,
    # The API documentation is for those who connect systems: not sales reps, not dealer staff.
    ("GET", "api:docs"): outcomes(sales_rep="403", dealer_staff="403"),
}


# Each area of the orders, leads and logistics apps declares its own entries beside its tests.
from tests.leads import matrix_leads, matrix_leads_hq, matrix_leads_portal  # noqa: E402 - they build on the above
from tests.logistics import matrix_logistics  # noqa: E402
from tests.orders import matrix_api, matrix_finance, matrix_hq, matrix_portal  # noqa: E402

AREAS = (
    matrix_api,
    matrix_hq,
    matrix_finance,
    matrix_portal,
    matrix_leads,
    matrix_leads_hq,
    matrix_leads_portal,
    matrix_logistics,
)
for area in AREAS:
    API.update(area.API)
    HTML.update(area.HTML)


def api_operations(urlconf=None) -> set[tuple[str, str]]:
    """Every (method, path) in the OpenAPI schema generated from ``urlconf``."""
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            yield from _walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def _is_schema_operation(callback) -> bool:
    view_class = getattr(callback, "cls", None)
    return (
        view_class is not None
        and issubclass(view_class, APIView)
        and not view_class.__module__.startswith("drf_spectacular")
    )


def html_routes(urlconf=None) -> set[tuple[str, str]]:
    """Every named route that is not Django admin and not an API operation, with its method."""
    routes = set()
    for name, callback in _walk(get_resolver(urlconf).url_patterns):
        if name.startswith("admin:") or _is_schema_operation(callback):
            continue
        view_class = getattr(callback, "view_class", None)
        allowed = view_class.http_method_names if view_class is not None else ["get"]
        method = "GET" if "get" in allowed and (view_class is None or hasattr(view_class, "get")) else "POST"
        routes.add((method, name))
    return routes


def unlisted(urlconf=None) -> set:
    return (api_operations(urlconf) - set(API)) | (html_routes(urlconf) - set(HTML))


def classify(response) -> str:
    """What access control decided, from the response; a server error is never an outcome."""
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if response.status_code == 401:
        return "login"
    if response.status_code in (302, 303) and response["Location"].startswith("/accounts/login/"):
        return "login"
    if response.status_code == 403:
        return "403"
    if response.status_code == 404:
        return "404"
    return "ok"
