import pytest

from dealers.models import Dealer
from tests.factories import DealerFactory, make_uscc, region

pytestmark = pytest.mark.django_db


def test_hq_creates_a_dealer_with_idempotency(api_as, hq_admin):
    body = {
        "name": "成都天成",
        "legal_name": "成都天成贸易有限公司",
        "uscc": make_uscc(99),
        "region": "510100",
        "served_regions": ["510100"],
        "contacts": [{"name": "李娜", "phone": "028-12345678"}],
    }
    client = api_as(hq_admin)
    first = client.post("/api/v1/dealers/", body, HTTP_IDEMPOTENCY_KEY="d-1")
    again = client.post("/api/v1/dealers/", body, HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == 201, first.json()
    assert again.json() == first.json() and Dealer.objects.count() == 1
    assert first.json()["contacts"][0]["phone"] == "028-12345678"


def test_duplicate_uscc_is_a_clear_code(api_as, hq_admin):
    existing = DealerFactory()
    response = api_as(hq_admin).post(
        "/api/v1/dealers/", {"name": "x", "legal_name": "x", "uscc": existing.uscc, "region": "330100"}
    )
    assert response.status_code == 422 and response.json()["code"] == "uscc_taken"


def test_dealer_users_read_their_own_dealer_only(api_as, dealer_staff, other_dealer_admin):
    client = api_as(dealer_staff)
    listed = client.get("/api/v1/dealers/").json()["results"]
    assert [d["id"] for d in listed] == [dealer_staff.dealer_id]
    assert client.get(f"/api/v1/dealers/{other_dealer_admin.dealer_id}/").status_code == 404


def test_dealer_users_write_nothing(api_as, dealer_admin):
    client = api_as(dealer_admin)
    dealer_id = dealer_admin.dealer_id
    assert client.patch(f"/api/v1/dealers/{dealer_id}/", {"payment_terms_days": 365}).status_code == 403
    assert (
        client.post(f"/api/v1/dealers/{dealer_id}/change-status/", {"status": "active", "reason": "x"}).status_code
        == 403
    )
    assert Dealer.objects.get(pk=dealer_id).payment_terms_days == 30


def test_change_status_through_the_api(api_as, hq_admin, dealer_admin):
    response = api_as(hq_admin).post(
        f"/api/v1/dealers/{dealer_admin.dealer_id}/change-status/", {"status": "probation", "reason": "逾期回款"}
    )
    assert response.status_code == 200 and response.json()["status"] == "probation"
    illegal = api_as(hq_admin).post(
        f"/api/v1/dealers/{dealer_admin.dealer_id}/change-status/", {"status": "prospect", "reason": "x"}
    )
    assert illegal.status_code == 409 and illegal.json()["code"] == "invalid_transition"


def test_patch_keeps_the_territory_rule(api_as, hq_admin, sales_rep):
    from dms.accounts.services import user_update

    user_update(actor=hq_admin, user=sales_rep, regions=[region("330100")])
    dealer = DealerFactory(region=region("330100"))
    response = api_as(sales_rep).patch(f"/api/v1/dealers/{dealer.pk}/", {"region": "440100"})
    assert response.status_code == 422 and response.json()["code"] == "out_of_territory"


def test_regions_filter_by_level_parent_and_code(api_as, dealer_staff):
    client = api_as(dealer_staff)
    provinces = client.get("/api/v1/regions/", {"level": "province", "page_size": 100}).json()
    assert provinces["count"] == 34
    cities = client.get("/api/v1/regions/", {"parent": "330000", "page_size": 100}).json()["results"]
    assert {"杭州市", "宁波市"} <= {c["name"] for c in cities}
    assert client.get("/api/v1/regions/", {"code": "440300"}).json()["results"][0]["name_en"] == "Shenzhen"


def test_only_hq_admins_edit_regions(api_as, hq_admin, hq_staff):
    body = {"code": "330109", "parent": "330100", "level": "district", "name": "萧山区", "name_en": "Xiaoshan"}
    assert api_as(hq_staff).post("/api/v1/regions/", body).status_code == 403
    created = api_as(hq_admin).post("/api/v1/regions/", body)
    assert created.status_code == 201
    from dealers.models import Region

    assert Region.objects.get(code="330109").path == "CN/330000/330100/330109/"


def test_users_api_assigns_regions(api_as, hq_admin, sales_rep):
    response = api_as(hq_admin).patch(f"/api/v1/users/{sales_rep.pk}/", {"regions": ["330100", "440000"]})
    assert response.status_code == 200 and sorted(response.json()["regions"]) == ["330100", "440000"]
    response = api_as(hq_admin).patch(f"/api/v1/users/{sales_rep.pk}/", {"regions": ["nope"]})
    assert response.status_code == 400


def test_bad_coordinates_and_blank_codes_are_refused(api_as, hq_admin, dealer_admin):
    client = api_as(hq_admin)
    url = f"/api/v1/dealers/{dealer_admin.dealer_id}/"
    assert client.patch(url, {"latitude": "100.0"}).status_code == 400
    response = client.patch(url, {"code": " "})
    assert response.status_code == 422 and response.json()["code"] == "code_required"
