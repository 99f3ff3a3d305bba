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
        response = api_client.post(PUBLIC, body(product_line="nope"), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"product_line"}
        response = api_client.post(PUBLIC, body(region="999999"), format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        assert response.status_code == 422
        assert (response.json()["code"], set(response.json()["fields"])) == ("region_unknown", {"region"})
        assert not Lead.objects.exists()

    @pytest.mark.parametrize(
        ("names", "code"),
        [
            ({"province": "浙江省", "city": "杭州市", "district": "西湖区"}, "330106"),
            ({"province": "浙江", "city": "杭州"}, "330100"),
            ({"city": "Hangzhou"}, "330100"),
            # The tree holds the districts the brand sells in: an unlisted district leaves the city.
            ({"province": "浙江省", "city": "杭州市", "district": "余杭区"}, "330100"),
            ({"province": "北京市", "city": "北京市", "district": "朝阳区"}, "110105"),
        ],
    )
    def test_the_region_may_be_given_by_names(self, api_client, line, source_key, names, code):
        data = {key: value for key, value in body(**names).items() if key != "region"}
        response = api_client.post(PUBLIC, data, format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        assert response.status_code == 201, response.content
        assert Lead.objects.get().region.code == code

    @pytest.mark.parametrize(
        ("names", "code", "field"),
        [
            ({"city": "Taizhou"}, "region_ambiguous", "city"),
            ({"province": "浙江省", "city": "广州市"}, "region_mismatch", "city"),
            ({"province": "火星省"}, "region_unknown", "province"),
            ({}, "region_required", "region"),
        ],
    )
    def test_an_unknown_or_ambiguous_region_is_refused_with_its_code(
        self, api_client, line, source_key, names, code, field
    ):
        data = {key: value for key, value in body(**names).items() if key != "region"}
        response = api_client.post(PUBLIC, data, format="json", HTTP_X_LEAD_SOURCE_KEY=source_key)
        assert response.status_code == 422
        assert (response.json()["code"], list(response.json()["fields"])) == (code, [field])
        assert not Lead.objects.exists()

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


REGISTRATIONS = "/api/v1/deal-registrations/"
RULES = "/api/v1/assignment-rules/"


def registration_body(**overrides):
    return {
        "customer_company": "杭州美居装饰有限公司",
        "customer_phone": "13800138000",
        "product_line": "ac",
        "expected_value": "80000.00",
        "expected_close_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        **overrides,
    }


class TestDealRegistrations:
    def test_a_dealer_registers_and_sees_no_clashes(self, api_as, dealer_admin, other_dealer_admin, line):
        api_as(other_dealer_admin).post(REGISTRATIONS, registration_body(), format="json")
        response = api_as(dealer_admin).post(
            REGISTRATIONS, registration_body(), format="json", HTTP_IDEMPOTENCY_KEY="reg-1"
        )
        assert response.status_code == 201, response.content
        data = response.json()
        assert (data["dealer"], data["status"], data["product_line"]) == (dealer_admin.dealer_id, "submitted", "ac")
        assert "clashes" not in data
        listed = api_as(dealer_admin).get(REGISTRATIONS).json()["results"]
        assert [row["id"] for row in listed] == [data["id"]]
        assert all("clashes" not in row for row in listed)
        assert "clashes" not in api_as(dealer_admin).get(f"{REGISTRATIONS}{data['id']}/").json()

    def test_head_office_sees_the_clashes(self, api_as, hq_admin, dealer_admin, other_dealer_admin, line):
        first = api_as(other_dealer_admin).post(REGISTRATIONS, registration_body(), format="json").json()
        second = api_as(dealer_admin).post(REGISTRATIONS, registration_body(), format="json").json()
        data = api_as(hq_admin).get(f"{REGISTRATIONS}{second['id']}/").json()
        assert data["clashes"] == [
            {"kind": "registration", "id": first["id"], "dealer": other_dealer_admin.dealer_id, "status": "submitted"}
        ]

    def test_another_dealers_registration_is_not_found(self, api_as, dealer_admin, other_dealer_admin, line):
        theirs = api_as(other_dealer_admin).post(REGISTRATIONS, registration_body(), format="json").json()
        assert api_as(dealer_admin).get(f"{REGISTRATIONS}{theirs['id']}/").status_code == 404

    def test_head_office_approves_for_some_days_and_the_customer_is_protected(
        self, api_as, hq_admin, dealer_admin, other_dealer_admin, line
    ):
        made = api_as(dealer_admin).post(REGISTRATIONS, registration_body(), format="json").json()
        response = api_as(hq_admin).post(f"{REGISTRATIONS}{made['id']}/approve/", {"days": 30}, format="json")
        assert response.status_code == 200, response.content
        until = timezone.localdate() + datetime.timedelta(days=30)
        assert (response.json()["status"], response.json()["protected_until"]) == ("approved", until.isoformat())
        refused = api_as(other_dealer_admin).post(REGISTRATIONS, registration_body(), format="json")
        assert (refused.status_code, refused.json()["code"]) == (422, "customer_protected")
        again = api_as(hq_admin).post(f"{REGISTRATIONS}{made['id']}/approve/", {}, format="json")
        assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")

    def test_approval_without_days_takes_the_default_period(self, api_as, hq_admin, dealer_admin, line, settings):
        settings.DMS_DEAL_PROTECTION_DAYS = 90
        made = api_as(dealer_admin).post(REGISTRATIONS, registration_body(), format="json").json()
        response = api_as(hq_admin).post(f"{REGISTRATIONS}{made['id']}/approve/", format="json")
        until = timezone.localdate() + datetime.timedelta(days=90)
        assert response.json()["protected_until"] == until.isoformat()

    def test_rejecting_needs_a_reason(self, api_as, hq_staff, dealer_admin, line):
        made = api_as(dealer_admin).post(REGISTRATIONS, registration_body(), format="json").json()
        url = f"{REGISTRATIONS}{made['id']}/reject/"
        missing = api_as(hq_staff).post(url, {}, format="json")
        assert (missing.status_code, list(missing.json()["fields"])) == (400, ["reason"])
        blank = api_as(hq_staff).post(url, {"reason": "   "}, format="json")
        assert (blank.status_code, blank.json()["code"]) == (400, "invalid")
        response = api_as(hq_staff).post(url, {"reason": "客户已由直营跟进"}, format="json")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["decision_reason"]) == ("rejected", "客户已由直营跟进")
        seen = api_as(dealer_admin).get(f"{REGISTRATIONS}{made['id']}/").json()
        assert (seen["status"], seen["decision_reason"]) == ("rejected", "客户已由直营跟进")

    @pytest.mark.parametrize(
        ("overrides", "status", "code"),
        [
            ({"expected_close_on": "2000-01-01"}, 422, "close_date_past"),
            ({"product_line": "nope"}, 400, "invalid"),
            ({"expected_value": "0"}, 400, "invalid"),
        ],
    )
    def test_refusals_have_stable_codes(self, api_as, dealer_admin, line, overrides, status, code):
        response = api_as(dealer_admin).post(REGISTRATIONS, registration_body(**overrides), format="json")
        assert (response.status_code, response.json()["code"]) == (status, code)

    def test_a_line_the_dealer_is_not_authorised_for_is_refused(self, api_as, dealer_admin, line):
        ProductLineFactory(code="tv")
        response = api_as(dealer_admin).post(REGISTRATIONS, registration_body(product_line="tv"), format="json")
        assert (response.status_code, response.json()["code"]) == (422, "line_not_authorized")

    def test_protection_days_out_of_range(self, api_as, hq_admin, dealer_admin, line):
        made = api_as(dealer_admin).post(REGISTRATIONS, registration_body(), format="json").json()
        response = api_as(hq_admin).post(f"{REGISTRATIONS}{made['id']}/approve/", {"days": 0}, format="json")
        assert response.status_code == 400

    def test_roles(self, api_as, hq_admin, dealer_admin, line):
        assert api_as(hq_admin).post(REGISTRATIONS, registration_body(), format="json").status_code == 403
        made = api_as(dealer_admin).post(REGISTRATIONS, registration_body(), format="json").json()
        approve = api_as(dealer_admin).post(f"{REGISTRATIONS}{made['id']}/approve/", format="json")
        assert approve.status_code == 403


class TestAssignmentRules:
    def rule(self, **overrides):
        return {"name": "杭州加权", "region": "330100", "product_line": "ac", "accept_minutes": 60, **overrides}

    def test_head_office_reads_the_rules(self, api_as, hq_admin, sales_rep, line):
        services.rule_create(actor=hq_admin, name="浙江", region=region("330000"))
        data = api_as(sales_rep).get(RULES).json()["results"]
        assert [(row["name"], row["region"], row["product_line"]) for row in data] == [("浙江", "330000", None)]

    def test_a_routing_manager_creates_and_changes_a_rule(self, api_as, hq_staff, line):
        from django.contrib.auth.models import Group

        hq_staff.groups.add(Group.objects.get(name="lead_desk"))
        client = api_as(hq_staff)
        response = client.post(RULES, self.rule(), format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert (data["region"], data["product_line"], data["accept_minutes"], data["strategy"]) == (
            "330100",
            "ac",
            60,
            "weighted",
        )
        patched = client.patch(f"{RULES}{data['id']}/", {"strategy": "round_robin", "region": None}, format="json")
        assert patched.status_code == 200, patched.content
        assert (patched.json()["strategy"], patched.json()["region"]) == ("round_robin", None)

    def test_staff_without_the_permission_are_refused(self, api_as, hq_staff, hq_admin, line):
        assert api_as(hq_staff).post(RULES, self.rule(), format="json").status_code == 403
        rule = services.rule_create(actor=hq_admin, name="浙江")
        response = api_as(hq_staff).patch(f"{RULES}{rule.pk}/", {"priority": 1}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")

    def test_dealers_are_refused(self, api_as, dealer_admin, line):
        assert api_as(dealer_admin).get(RULES).status_code == 403

    def test_the_rules_of_the_service_answer_with_their_codes(self, api_as, hq_admin, line):
        client = api_as(hq_admin)
        zero = {"weight_tier": 0, "weight_distance": 0, "weight_load": 0, "weight_fairness": 0}
        response = client.post(RULES, self.rule(**zero), format="json")
        assert (response.status_code, response.json()["code"]) == (422, "weights_all_zero")
        assert client.post(RULES, self.rule(), format="json").status_code == 201
        taken = client.post(RULES, self.rule(name="又一个"), format="json")
        assert (taken.status_code, taken.json()["code"]) == (422, "rule_scope_taken")
        too_fast = client.post(RULES, self.rule(accept_minutes=4), format="json")
        assert (too_fast.status_code, list(too_fast.json()["fields"])) == (400, ["accept_minutes"])
        country = client.post(RULES, self.rule(region="CN"), format="json")
        assert (country.status_code, list(country.json()["fields"])) == (400, ["region"])
