"""The leads API: the public intake with a source key, HQ entry with Idempotency-Key, the scoped
list with contact details hidden after recall, and accept, decline and assign."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from leads import services
from leads.models import Assignment, Lead, LeadTouch
from tests.factories import UserFactory, region
from tests.factories.orders import ProductLineFactory, authorize

pytestmark = pytest.mark.django_db
PUBLIC = "/api/v1/public/leads/"
LEADS = "/api/v1/leads/"
A = Assignment.Status


@pytest.fixture
def line(dealer_one, dealer_two):
    made = ProductLineFactory(code="ac", name="空调", name_en="Air conditioning")
    authorize(dealer_one, made)
    authorize(dealer_two, made)
    dealer_one.served_regions.set([region("330100")])
    dealer_two.served_regions.set([region("440100")])
    return made


@pytest.fixture
def source_key(hq_admin):
    _source, key = services.lead_source_create(actor=hq_admin, name="官网商城", code="shop")
    return key


def body(**overrides):
    return {
        "contact_name": "王先生",
        "phone": "13800138000",
        "region": "330106",
        "product_line": "ac",
        "consent": True,
        "consent_purpose": "同意经销商就本次咨询联系我",
        **overrides,
    }


def offered_lead(line, where="330106", phone="13800138000"):
    lead, _created = services.lead_create(
        actor=None, source="web", contact_name="王先生", phone=phone, region=region(where), product_line=line
    )
    services.leads_assign()
    return lead


class TestPublicIntake:
    def test_a_website_with_its_key_posts_a_lead(self, api_client, line, source_key):
        response = api_client.post(PUBLIC, body(), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "received"
        lead = Lead.objects.get()
        assert (lead.source, lead.source_site.code, lead.region.code) == ("web", "shop", "330106")
        assert lead.consent_purpose == "同意经销商就本次咨询联系我"

    @pytest.mark.parametrize(("key", "code"), [(None, "source_key_missing"), ("wrong", "source_key_invalid")])
    def test_without_a_valid_key_nothing_is_stored(self, api_client, line, source_key, key, code):
        headers = {} if key is None else {"HTTP_X_LEAD_SOURCE_KEY": key}
        response = api_client.post(PUBLIC, body(), format="json", **headers)
        assert response.status_code == 401
        assert response.json()["code"] == code
        assert not Lead.objects.exists()

    def test_a_deactivated_source_is_refused(self, api_client, line, source_key):
        Lead.source_site.field.related_model.objects.update(is_active=False)
        response = api_client.post(PUBLIC, body(), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        assert response.status_code == 401

    def test_a_repeat_gets_the_same_receipt_and_adds_a_touch(self, api_client, line, source_key):
        first = api_client.post(PUBLIC, body(), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        again = api_client.post(PUBLIC, body(message="再问"), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        assert (first.status_code, again.status_code) == (201, 201)
        assert set(first.json()) == set(again.json()) == {"status", "received_at"}
        assert Lead.objects.count() == 1 and LeadTouch.objects.count() == 1

    def test_bad_phone_and_unknown_codes_are_field_errors(self, api_client, line, source_key):
        response = api_client.post(PUBLIC, body(phone="12345"), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        assert (response.status_code, response.json()["code"]) == (422, "phone_invalid")
        response = api_client.post(
            PUBLIC, body(region="999999", product_line="nope"), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"region", "product_line"}

    def test_it_is_rate_limited(self, api_client, line, source_key, monkeypatch):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "lead_intake", "2/hour")
        codes = [
            api_client.post(
                PUBLIC, body(phone=f"1390000000{n}"), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key
            ).status_code
            for n in range(3)
        ]
        assert codes == [201, 201, 429]
        assert Lead.objects.count() == 2


class TestCreate:
    def test_hq_enters_a_lead_and_a_retry_with_the_same_key_replays(self, api_as, hq_staff, line):
        client = api_as(hq_staff)
        data = body(source="hotline", estimated_value="50000.00")
        first = client.post(LEADS, data, format="json", HTTP_IDEMPOTENCY_KEY="call-1")
        again = client.post(LEADS, data, format="json", HTTP_IDEMPOTENCY_KEY="call-1")
        assert first.status_code == 201, first.content
        assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        lead = Lead.objects.get()
        assert (lead.source, lead.created_by, str(lead.estimated_value)) == ("hotline", hq_staff, "50000.00")

    def test_a_known_customer_answers_200_with_their_lead(self, api_as, hq_admin, line):
        existing = offered_lead(line)
        response = api_as(hq_admin).post(LEADS, body(source="exhibition"), format="json")
        assert response.status_code == 200
        assert response.json()["id"] == existing.pk
        assert response.json()["touches"] == 2

    def test_the_source_defaults_to_api_and_web_is_not_offered(self, api_as, hq_admin, line):
        assert api_as(hq_admin).post(LEADS, body(), format="json").json()["source"] == "api"
        response = api_as(hq_admin).post(LEADS, body(source="web", phone="13900000001"), format="json")
        assert response.status_code == 400

    def test_dealers_cannot_enter_leads(self, api_as, dealer_admin, line):
        assert api_as(dealer_admin).post(LEADS, body(), format="json").status_code == 403


class TestReading:
    def test_a_dealer_sees_only_its_lead_and_hq_sees_the_decision(self, api_as, dealer_admin, hq_admin, line):
        mine = offered_lead(line)
        offered_lead(line, where="440100", phone="13900000002")
        listed = api_as(dealer_admin).get(LEADS).json()["results"]
        assert [row["id"] for row in listed] == [mine.pk]
        row = listed[0]
        assert (row["phone"], row["assignment"]["dealer_code"], row["assignment"]["status"]) == (
            "13800138000",
            "D00001",
            "offered",
        )
        assert row["decision"] is None and row["unassigned_reason"] is None
        seen_by_hq = api_as(hq_admin).get(f"{LEADS}{mine.pk}/").json()
        assert seen_by_hq["decision"]["candidates"][0]["code"] == "D00001"

    def test_another_dealers_lead_is_not_found(self, api_as, other_dealer_admin, line):
        lead = offered_lead(line)
        assert api_as(other_dealer_admin).get(f"{LEADS}{lead.pk}/").status_code == 404
        assert api_as(other_dealer_admin).post(f"{LEADS}{lead.pk}/accept/").status_code == 404

    def test_contact_details_are_hidden_once_the_lead_is_recalled(self, api_as, dealer_admin, line):
        lead = offered_lead(line)
        services.assignments_recall_expired(now=timezone.now() + datetime.timedelta(days=30))
        row = api_as(dealer_admin).get(f"{LEADS}{lead.pk}/").json()
        assert row["contact_visible"] is False
        assert (row["contact_name"], row["phone"], row["email"], row["assignment"]) == ("", "", "", None)

    def test_filters(self, api_as, hq_admin, line):
        hangzhou = offered_lead(line)
        offered_lead(line, where="440100", phone="13900000002")
        client = api_as(hq_admin)
        assert [r["id"] for r in client.get(LEADS, {"region": "330000"}).json()["results"]] == [hangzhou.pk]
        assert client.get(LEADS, {"status": "won"}).json()["count"] == 0
        assert client.get(LEADS, {"product_line": "ac", "source": "web"}).json()["count"] == 2


class TestActions:
    def test_the_dealer_accepts_its_offer(self, api_as, dealer_staff, line):
        lead = offered_lead(line)
        response = api_as(dealer_staff).post(f"{LEADS}{lead.pk}/accept/")
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["assignment"]["status"]) == ("accepted", "accepted")

    def test_declining_needs_a_reason_and_sends_the_lead_on(self, api_as, dealer_admin, line):
        lead = offered_lead(line)
        client = api_as(dealer_admin)
        assert client.post(f"{LEADS}{lead.pk}/decline/", {}, format="json").status_code == 400
        response = client.post(f"{LEADS}{lead.pk}/decline/", {"reason": "不做这个区域"}, format="json")
        assert response.status_code == 200
        assert response.json()["contact_visible"] is False
        assert lead.assignments.get().status == A.DECLINED
        assert client.post(f"{LEADS}{lead.pk}/accept/").status_code == 404

    def test_hq_may_not_accept_for_a_dealer(self, api_as, hq_admin, line):
        lead = offered_lead(line)
        assert api_as(hq_admin).post(f"{LEADS}{lead.pk}/accept/").status_code == 403

    def test_hq_assigns_past_capacity_only_with_a_reason(self, api_as, hq_admin, line, dealer_one):
        dealer_one.lead_capacity = 1
        dealer_one.save(update_fields=["lead_capacity"])
        offered_lead(line)
        other = offered_lead(line, phone="13900000003")
        assert other.assignments.count() == 0
        client = api_as(hq_admin)
        refused = client.post(f"{LEADS}{other.pk}/assign/", {"dealer": dealer_one.pk}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (422, "capacity_reached")
        response = client.post(
            f"{LEADS}{other.pk}/assign/", {"dealer": dealer_one.pk, "override_reason": "客户点名要他们"}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["assignment"]["dealer_code"] == "D00001"
        assert other.assignments.get().override_reason == "客户点名要他们"

    def test_assigning_to_a_dealer_outside_scope_is_not_found(self, api_as, line, dealer_one):
        rep = UserFactory(username="rep2", role="sales_rep")
        lead = offered_lead(line)
        response = api_as(rep).post(f"{LEADS}{lead.pk}/assign/", {"dealer": dealer_one.pk}, format="json")
        assert response.status_code == 404


class TestAfterAcceptance:
    @pytest.fixture
    def accepted(self, dealer_admin, line):
        lead = offered_lead(line)
        services.assignment_accept(actor=dealer_admin, assignment=lead.assignments.get())
        return lead

    def test_the_dealer_logs_a_follow_up_and_reads_its_trail(self, api_as, dealer_staff, hq_admin, accepted):
        url = f"{LEADS}{accepted.pk}/follow-ups/"
        response = api_as(dealer_staff).post(url, {"kind": "call", "note": "约了周五上门"}, format="json")
        assert response.status_code == 201, response.content
        assert api_as(dealer_staff).post(url, {"kind": "fax"}, format="json").json()["code"] == "invalid_kind"
        assert [f["note"] for f in api_as(hq_admin).get(url).json()] == ["约了周五上门"]
        assert api_as(hq_admin).get(f"{LEADS}{accepted.pk}/").json()["status"] == "contacted"

    def test_hq_cannot_log_follow_ups_for_a_dealer(self, api_as, hq_admin, accepted):
        response = api_as(hq_admin).post(f"{LEADS}{accepted.pk}/follow-ups/", {"kind": "call"}, format="json")
        assert response.status_code == 403

    def test_the_dealer_marks_the_lead_won_with_an_amount(self, api_as, dealer_admin, accepted):
        client = api_as(dealer_admin)
        assert client.post(f"{LEADS}{accepted.pk}/mark-won/", {"amount": "0"}, format="json").status_code == 400
        response = client.post(f"{LEADS}{accepted.pk}/mark-won/", {"amount": "128000.00"}, format="json")
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["won_amount"]) == ("won", "128000.00")
        lost = client.post(f"{LEADS}{accepted.pk}/mark-lost/", {"reason": "改主意"}, format="json")
        assert lost.status_code == 409

    def test_the_dealer_marks_the_lead_lost_with_a_reason(self, api_as, dealer_admin, accepted):
        response = api_as(dealer_admin).post(f"{LEADS}{accepted.pk}/mark-lost/", {"reason": "预算不足"}, format="json")
        assert (response.status_code, response.json()["status"], response.json()["lost_reason"]) == (
            200,
            "lost",
            "预算不足",
        )

    def test_an_order_that_is_not_the_dealers_is_refused(self, api_as, dealer_admin, accepted):
        response = api_as(dealer_admin).post(
            f"{LEADS}{accepted.pk}/mark-won/", {"amount": "10.00", "order": 999999}, format="json"
        )
        assert (response.status_code, list(response.json()["fields"])) == (400, ["order"])

    def test_a_rep_entering_a_known_customer_outside_their_territory_sees_no_contact(self, api_as, accepted):
        rep = UserFactory(username="rep3", role="sales_rep")
        response = api_as(rep).post(LEADS, body(contact_name="另一个名字"), format="json")
        assert response.status_code == 200
        assert (response.json()["id"], response.json()["contact_name"], response.json()["assignment"]) == (
            accepted.pk,
            "",
            None,
        )
