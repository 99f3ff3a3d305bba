import pytest
from django.utils import timezone

from dms.accounts import services
from dms.accounts.models import ApiToken, Role, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_endpoint_exchanges_credentials_for_a_token(api_client, hq_staff):
    response = api_client.post("/api/v1/auth/token/", {"username": hq_staff.username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires"}
    me = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.status_code == 200 and me.json()["username"] == hq_staff.username
    assert ApiToken.objects.get(user=hq_staff).last_used_at is not None


def test_token_endpoint_refuses_wrong_credentials_with_a_code(api_client, hq_staff):
    response = api_client.post("/api/v1/auth/token/", {"username": hq_staff.username, "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_token_endpoint_locks_after_five_failures(api_client, hq_staff):
    for _ in range(5):
        api_client.post("/api/v1/auth/token/", {"username": hq_staff.username, "password": "nope"})
    response = api_client.post("/api/v1/auth/token/", {"username": hq_staff.username, "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "locked_out"
    assert not ApiToken.objects.filter(user=hq_staff).exists()


def test_token_endpoint_validates_its_body(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "password" in response.json()["fields"]


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token not-a-real-key"])
def test_bad_token_header_is_401_with_a_code(api_client, header):
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


def test_revoked_and_expired_tokens_are_refused(api_client, hq_staff):
    revoked, revoked_key = services.token_create(user=hq_staff, name="old")
    services.token_revoke(actor=hq_staff, token=revoked)
    expired, expired_key = services.token_create(user=hq_staff, name="expired")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    for key in (revoked_key, expired_key):
        assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_hq_admin_creates_lists_and_deactivates_users(api_as, hq_admin, dealer_one):
    client = api_as(hq_admin)
    response = client.post(
        "/api/v1/users/",
        {"username": "wang", "role": "dealer_admin", "dealer": dealer_one.pk, "email": "w@example.com"},
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["dealer"] == dealer_one.pk and created["role"] == "dealer_admin" and "password" not in created
    listed = client.get("/api/v1/users/", {"role": "dealer_admin"}).json()
    assert [u["username"] for u in listed["results"]] == ["wang"]
    response = client.post(f"/api/v1/users/{created['id']}/deactivate/", {"reason": "closed"})
    assert response.status_code == 200 and response.json()["is_active"] is False


def test_user_rules_come_back_as_json_codes(api_as, hq_admin):
    client = api_as(hq_admin)
    response = client.post("/api/v1/users/", {"username": "x", "role": "dealer_staff"})
    assert response.status_code == 422
    assert response.json()["code"] == "dealer_required" and "dealer" in response.json()["fields"]
    response = client.post("/api/v1/users/", {"username": "x y", "role": "nobody"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "role"}


def test_partial_update_rechecks_membership(api_as, hq_admin, sales_rep, dealer_one):
    response = api_as(hq_admin).patch(f"/api/v1/users/{sales_rep.pk}/", {"role": "dealer_staff"})
    assert response.status_code == 422 and response.json()["code"] == "dealer_required"
    response = api_as(hq_admin).patch(
        f"/api/v1/users/{sales_rep.pk}/", {"role": "dealer_staff", "dealer": dealer_one.pk}
    )
    assert response.status_code == 200 and response.json()["dealer"] == dealer_one.pk


def test_users_endpoint_is_for_hq_admins_only(api_as, users):
    for role in ("hq_staff", "sales_rep", "dealer_admin", "dealer_staff"):
        response = api_as(users[role]).get("/api/v1/users/")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_created_users_can_use_the_idempotency_key(api_as, hq_admin):
    client = api_as(hq_admin)
    body = {"username": "once", "role": "hq_staff"}
    first = client.post("/api/v1/users/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/users/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert User.objects.filter(username="once").count() == 1


def test_token_api_shows_the_key_once(api_as, dealer_staff):
    client = api_as(dealer_staff)
    created = client.post("/api/v1/tokens/", {"name": "shop POS", "expires_in_days": 10})
    assert created.status_code == 201
    key = created.json()["key"]
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert listed[0]["prefix"] == key[:8] and "key" not in listed[0]
    revoked = client.post(f"/api/v1/tokens/{listed[0]['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["is_usable"] is False
    again = client.post(f"/api/v1/tokens/{listed[0]['id']}/revoke/")
    assert again.status_code == 422 and again.json()["code"] == "token_revoked"


def test_tokens_of_other_users_are_404(api_as, hq_admin, dealer_staff):
    token, _key = services.token_create(user=dealer_staff, name="mine")
    assert api_as(hq_admin).get(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert api_as(hq_admin).post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 404


def test_me_describes_the_signed_in_user(api_as, dealer_admin):
    body = api_as(dealer_admin).get("/api/v1/me/").json()
    assert body["role"] == Role.DEALER_ADMIN and body["dealer"] == dealer_admin.dealer_id
