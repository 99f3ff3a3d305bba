"""Who gets a lead, and why: region specificity, authorisation, capacity, refusals, fairness, rules,
determinism and the stored explanation; de-duplication at intake; accept, decline and recall."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from dealers.models import Dealer
from dms.errors import PermissionDeniedError, RuleViolation
from leads import services
from leads.models import Assignment, AssignmentRule, Lead, LeadTouch
from leads.selectors import lead_list
from leads.services import assignment
from tests.factories import DealerFactory, UserFactory, region
from tests.factories.orders import ProductLineFactory, authorize

pytestmark = pytest.mark.django_db
L, A = Lead.Status, Assignment.Status


@pytest.fixture
def line():
    return ProductLineFactory(code="ac", name="空调", name_en="Air conditioning")


def dealer(code, serves, line, *, tier="B", capacity=20, home="330100", **kwargs):
    made = DealerFactory(code=code, tier=tier, lead_capacity=capacity, region=region(home), **kwargs)
    made.served_regions.set([region(c) for c in serves])
    if line is not None:
        authorize(made, line)
    return made


def new_lead(line, where="330106", **kwargs):
    values = {"phone": f"138{Lead.objects.count():08d}", **kwargs}
    lead, created = services.lead_create(
        actor=None, source="web", contact_name="王先生", region=region(where), product_line=line, **values
    )
    assert created
    return lead


def holder(lead) -> str | None:
    assignment = lead.assignments.filter(status__in=Assignment.OPEN).first()
    return assignment.dealer.code if assignment else None


class TestCandidates:
    def test_the_most_specific_level_with_a_dealer_wins(self, line):
        dealer("PROV", ["330000"], line, tier="A")
        dealer("CITY", ["330100"], line, tier="D")
        lead = new_lead(line, where="330106")  # a district of 杭州 no dealer serves directly
        services.leads_assign()
        assert holder(lead) == "CITY"

    def test_an_unauthorised_or_inactive_dealer_is_never_a_candidate(self, line):
        dealer("NOAUTH", ["330100"], None)
        dealer("SUSP", ["330100"], line, status=Dealer.Status.SUSPENDED)
        dealer("PROV", ["330000"], line)
        lead = new_lead(line)
        services.leads_assign()
        assert holder(lead) == "PROV"

    def test_a_regional_authorisation_elsewhere_does_not_count(self, line):
        limited = dealer("LIMITED", ["330100"], None)
        authorize(limited, line, regions=[region("440000")])
        lead = new_lead(line)
        services.leads_assign()
        lead.refresh_from_db()
        assert (lead.status, holder(lead)) == (L.UNASSIGNED, None)
        assert lead.unassigned_reason == Lead.UnassignedReason.NO_CANDIDATE

    def test_a_dealer_at_capacity_is_passed_over(self, line):
        dealer("FULL", ["330100"], line, tier="A", capacity=1)
        dealer("SPARE", ["330100"], line, tier="D")
        first, second = new_lead(line), new_lead(line)
        services.leads_assign()
        assert (holder(first), holder(second)) == ("FULL", "SPARE")


class TestRanking:
    def test_weighted_ranking_is_explained_and_deterministic(self, line):
        dealer("AAA", ["330100"], line, tier="A")
        dealer("BBB", ["330100"], line, tier="B")
        lead = new_lead(line)
        services.leads_assign()
        assignment = lead.assignments.get()
        assert assignment.dealer.code == "AAA"
        candidates = assignment.decision["candidates"]
        assert [c["code"] for c in candidates] == ["AAA", "BBB"]
        assert candidates[0]["points"]["tier"] == 30.0 and candidates[1]["points"]["tier"] == 22.5
        assert assignment.decision["rule"] and candidates[0]["score"] > candidates[1]["score"]

    def test_equal_dealers_share_leads_fairly(self, line):
        for code in ("D1", "D2", "D3"):
            dealer(code, ["330100"], line)
        leads = [new_lead(line) for _ in range(6)]
        services.leads_assign()
        holders = [holder(lead) for lead in leads]
        assert sorted(holders) == ["D1", "D1", "D2", "D2", "D3", "D3"]

    def test_round_robin_takes_who_waited_longest(self, line):
        AssignmentRule.objects.create(name="RR", region=region("330000"), strategy="round_robin")
        dealer("OLD", ["330100"], line, tier="D")
        dealer("NEW", ["330100"], line, tier="A")
        first = new_lead(line)
        services.leads_assign()
        second = new_lead(line)
        services.leads_assign()
        assert (holder(first), holder(second)) == ("NEW", "OLD")

    def test_a_manual_rule_leaves_the_lead_to_head_office(self, line):
        AssignmentRule.objects.create(name="Key accounts", product_line=line, strategy="manual")
        dealer("ANY", ["330100"], line)
        lead = new_lead(line)
        services.leads_assign()
        lead.refresh_from_db()
        assert (lead.status, lead.unassigned_reason) == (L.UNASSIGNED, Lead.UnassignedReason.MANUAL_RULE)

    def test_the_most_specific_rule_sets_the_deadline(self, line):
        AssignmentRule.objects.create(name="Country", accept_minutes=600)
        AssignmentRule.objects.create(name="Hangzhou", region=region("330100"), accept_minutes=30)
        dealer("ANY", ["330100"], line)
        lead = new_lead(line)
        services.leads_assign(now=timezone.now())
        assignment = lead.assignments.get()
        assert (assignment.deadline - assignment.assigned_at) < datetime.timedelta(minutes=31)
        assert assignment.rule.name == "Hangzhou"


class TestIntake:
    def test_the_same_customer_again_adds_a_touch_not_a_lead(self, line):
        lead = new_lead(line, phone="138 0013 8000")
        again, created = services.lead_create(
            actor=None,
            source="hotline",
            contact_name="王",
            region=region("330106"),
            product_line=line,
            phone="+86 13800138000",
        )
        assert (again.pk, created, again.touches) == (lead.pk, False, 2)
        assert LeadTouch.objects.get().source == "hotline"

    def test_the_same_company_in_the_same_region_is_the_same_customer(self, line):
        lead = new_lead(line, company="杭州美居装饰有限公司")
        again, created = services.lead_create(
            actor=None,
            source="web",
            contact_name="李",
            region=region("330106"),
            product_line=line,
            email="li@example.com",
            company="杭州美居装饰",
        )
        assert (again.pk, created) == (lead.pk, False)

    def test_after_the_window_the_customer_is_a_new_lead(self, line, settings):
        settings.DMS_LEAD_DEDUPE_DAYS = 30
        first = new_lead(line, phone="13800138000")
        with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
            again, created = services.lead_create(
                actor=None,
                source="web",
                contact_name="王",
                region=region("330106"),
                product_line=line,
                phone="13800138000",
            )
        assert created and again.pk != first.pk

    def test_bad_contact_details_are_refused(self, line):
        with pytest.raises(RuleViolation) as exc:
            new_lead(line, phone="12345")
        assert exc.value.code == "phone_invalid"
        with pytest.raises(RuleViolation) as exc:
            services.lead_create(
                actor=None, source="web", contact_name="王", region=region("330106"), product_line=line
            )
        assert exc.value.code == "contact_required"


class TestResponses:
    @pytest.fixture
    def offered(self, line):
        first = dealer("FIRST", ["330100"], line, tier="A")
        dealer("SECOND", ["330100"], line, tier="C")
        lead = new_lead(line)
        services.leads_assign()
        admin = UserFactory(role="dealer_admin", dealer=first)
        return lead, lead.assignments.get(), admin

    def test_accepting_in_time(self, offered):
        lead, assignment, admin = offered
        services.assignment_accept(actor=admin, assignment=assignment)
        lead.refresh_from_db()
        assert lead.status == L.ACCEPTED

    def test_only_the_holder_answers(self, offered, other_dealer_admin):
        _lead, assignment, _admin = offered
        with pytest.raises(PermissionDeniedError):
            services.assignment_accept(actor=other_dealer_admin, assignment=assignment)

    def test_a_decline_sends_the_lead_to_the_next_dealer(self, offered, django_capture_on_commit_callbacks):
        lead, assignment, admin = offered
        with django_capture_on_commit_callbacks(execute=True):
            services.assignment_decline(actor=admin, assignment=assignment, reason="太远")
        assert holder(lead) == "SECOND"
        assert lead.assignments.get(dealer__code="FIRST").status == A.DECLINED

    def test_an_offer_not_accepted_in_time_is_recalled_and_goes_elsewhere(
        self, offered, django_capture_on_commit_callbacks
    ):
        lead, assignment, admin = offered
        later = timezone.now() + datetime.timedelta(days=2)
        with time_machine.travel(later):
            with pytest.raises(RuleViolation):
                services.assignment_accept(actor=admin, assignment=assignment)
            with django_capture_on_commit_callbacks(execute=True):
                assert services.assignments_recall_expired() == 1
            assert services.assignments_recall_expired() == 0
        assert holder(lead) == "SECOND"
        assignment.refresh_from_db()
        assert assignment.status == A.EXPIRED


class TestManual:
    def test_head_office_assigns_within_authorisation_and_capacity_unless_told_why(self, line, hq_admin):
        full = dealer("FULL", ["330100"], line, capacity=1)
        new_lead(line)
        services.leads_assign()
        lead = new_lead(line, where="440100")
        services.leads_assign()
        with pytest.raises(RuleViolation) as exc:
            services.lead_assign_manually(actor=hq_admin, lead=lead, dealer=full)
        assert exc.value.code == "capacity_reached"
        assignment = services.lead_assign_manually(actor=hq_admin, lead=lead, dealer=full, override_reason="大客户")
        assert (assignment.override_reason, holder(lead)) == ("大客户", "FULL")
        outsider = dealer("OUT", ["440100"], None)
        with pytest.raises(RuleViolation):
            services.lead_assign_manually(actor=hq_admin, lead=lead, dealer=outsider, override_reason="x")


def test_the_assignment_task_works_through_every_batch(line, monkeypatch):
    from leads import tasks

    dealer("ANY", ["330100"], line, capacity=100)
    monkeypatch.setattr(assignment.leads_assign, "__kwdefaults__", {"batch_size": 2, "now": None})
    leads = [new_lead(line) for _ in range(5)]
    assert tasks.leads_assign_task() == {"assigned": 5, "unassigned": 0}
    assert [holder(lead) for lead in leads] == ["ANY"] * 5


class TestScope:
    def test_a_dealer_sees_its_leads_and_loses_the_contact_after_recall(self, line, dealer_admin):
        mine = dealer_admin.dealer
        mine.served_regions.set([region("330100")])
        authorize(mine, line)
        lead = new_lead(line)
        services.leads_assign()
        assert [(row.pk, row.contact_visible) for row in lead_list(user=dealer_admin)] == [(lead.pk, True)]
        with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
            services.assignments_recall_expired()
        assert [(row.pk, row.contact_visible) for row in lead_list(user=dealer_admin)] == [(lead.pk, False)]

    def test_another_dealer_never_sees_the_lead(self, line, dealer_admin, other_dealer_admin):
        mine = dealer_admin.dealer
        mine.served_regions.set([region("330100")])
        authorize(mine, line)
        new_lead(line)
        services.leads_assign()
        assert not lead_list(user=other_dealer_admin).exists()

    def test_a_rep_sees_leads_in_their_territory(self, line, sales_rep):
        sales_rep.regions.add(region("330100"))
        inside = new_lead(line, where="330106")
        new_lead(line, where="440100")
        assert list(lead_list(user=sales_rep)) == [inside]
