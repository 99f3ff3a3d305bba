"""The API's error contract: {"code", "detail", "fields"} with 400/401/403/404/409/422, never a 500."""

import pytest
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from dms.errors import DomainError, InvalidTransition, RuleViolation
from dms.views import EVERYONE

pytestmark = pytest.mark.django_db


class Conflict(DomainError):
    code = "stock_conflict"


class Raising(APIView):
    allowed_roles = EVERYONE

    def post(self, request):
        kind = request.data.get("kind")
        if kind == "conflict":
            raise Conflict("Not enough stock.", data={"available": 3})
        if kind == "rule":
            raise RuleViolation("Too much.", code="too_much", field="quantity")
        if kind == "transition":
            raise InvalidTransition(current="draft", target="shipped")
        return Response({"ok": True})


urlpatterns = [path("api/v1/raising/", Raising.as_view())]


@pytest.fixture
def raising_urls(settings):
    from django.urls import include

    import dms.urls

    settings.ROOT_URLCONF = type("Urls", (), {"urlpatterns": [*urlpatterns, path("", include(dms.urls.urlpatterns))]})


def test_domain_errors_carry_code_detail_and_data(raising_urls, api_as, hq_staff):
    response = api_as(hq_staff).post("/api/v1/raising/", {"kind": "conflict"})
    assert response.status_code == 409
    assert response.json() == {"code": "stock_conflict", "detail": "Not enough stock.", "data": {"available": 3}}


def test_rule_violations_name_their_field(raising_urls, api_as, hq_staff):
    response = api_as(hq_staff).post("/api/v1/raising/", {"kind": "rule"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"quantity": ["Too much."]}


def test_invalid_transition_has_a_stable_code(raising_urls, api_as, hq_staff):
    response = api_as(hq_staff).post("/api/v1/raising/", {"kind": "transition"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["data"] == {"current": "draft", "target": "shipped"}


def test_malformed_json_is_400(api_as, hq_admin):
    response = api_as(hq_admin).generic("POST", "/api/v1/users/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_unknown_object_is_404_json(api_as, hq_admin):
    response = api_as(hq_admin).get("/api/v1/users/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_405_json(api_as, hq_admin):
    response = api_as(hq_admin).delete(f"/api/v1/users/{hq_admin.pk}/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_anonymous_is_401(api_client):
    response = api_client.get("/api/v1/events/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_page_size_is_capped_at_one_hundred(api_as, hq_admin):
    from tests.factories import UserFactory

    UserFactory.create_batch(105)
    body = api_as(hq_admin).get("/api/v1/users/", {"page_size": 500}).json()
    assert len(body["results"]) == 100 and body["count"] == 106
    assert len(api_as(hq_admin).get("/api/v1/users/").json()["results"]) == 25


def test_bad_filter_values_are_400_not_500(api_as, hq_admin):
    response = api_as(hq_admin).get("/api/v1/events/", {"since": "yesterday"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
