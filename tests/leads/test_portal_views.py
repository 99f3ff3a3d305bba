"""The dealer's leads in the portal: the inbox with its deadlines, the lead page and its actions, the
pipeline, the dealer's own figures and its deal registrations."""

import datetime
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from leads import services
from leads.models import Assignment, DealRegistration, FollowUp, Lead
from orders import services as order_services
from tests.factories import region
from tests.factories.leads import company_phone
from tests.factories.orders import ProductLineFactory, authorize
from tests.platform.field_errors import field_errors, field_value
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db
A = Assignment.Status
L = Lead.Status
PHONES = itertools.count(10_000_000)


@pytest.fixture
def portal():
    """``portal(user)``: a browser signed in as the user, reading the English pages."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    yield make
    translation.deactivate()


@pytest.fixture
def world(dealer_one, dealer_two, hq_admin):
    """A product line both dealers sell in 杭州, and ``offer(dealer)`` to offer them a new lead."""
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen appliances")
    for dealer in (dealer_one, dealer_two):
        authorize(dealer, line, valid_from=datetime.date(2020, 1, 1))
        dealer.served_regions.set([region("330100")])
        dealer.lead_capacity = 500
        dealer.save()

    def offer(dealer=dealer_one, **fields) -> tuple[Lead, Assignment]:
        n = next(PHONES)
        data = {
            "contact_name": f"客户{n}",
            "phone": f"139{n:08d}",
            "estimated_value": Decimal("8000.00"),
            "message": "想换一套厨房电器",
            **fields,
        }
        lead, _created = services.lead_create(
            actor=hq_admin, source="hotline", region=region("330106"), product_line=line, **data
        )
        return lead, services.lead_assign_manually(actor=hq_admin, lead=lead, dealer=dealer)

    return SimpleNamespace(line=line, offer=offer)


def accepted(world, user, **fields) -> Lead:
    lead, assignment = world.offer(user.dealer, **fields)
    services.assignment_accept(actor=user, assignment=assignment)
    lead.refresh_from_db()
    return lead


def page(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


PAGES = ("portal:leads", "portal:lead_pipeline", "portal:lead_stats", "portal:registrations")


@pytest.mark.parametrize("name", (*PAGES, "portal:registration_create"))
def test_head_office_is_refused_every_page(portal, hq_staff, name):
    assert portal(hq_staff).get(reverse(name)).status_code == 403


class TestInbox:
    def test_lists_the_offers_now_with_their_deadline_and_contact(self, portal, world, dealer_admin, dealer_two):
        first, offer = world.offer(company="杭州绿源酒店", message="80 间客房换热水器", estimated_value="52000")
        second, _offer = world.offer()
        taken = accepted(world, dealer_admin)
        elsewhere, _offer = world.offer(dealer_two)
        response = portal(dealer_admin).get(reverse("portal:leads"))
        assert [lead.pk for lead in response.context["leads"]] == [first.pk, second.pk]
        html = page(response)
        for text in ("杭州绿源酒店", first.phone, first.contact_name, "80 间客房换热水器", "¥52,000.00", "Kitchen"):
            assert text in html
        assert f'data-deadline="{int(offer.deadline.timestamp())}"' in html
        assert timezone.localtime(offer.deadline).strftime("%Y-%m-%d %H:%M") in html
        assert taken.number not in html and elsewhere.number not in html

    def test_accept_in_place(self, portal, world, dealer_staff):
        lead, assignment = world.offer()
        inbox = reverse("portal:leads")
        response = portal(dealer_staff).post(
            reverse("portal:lead_accept", args=[lead.pk]), {"next": inbox}, follow=True
        )
        assert response.redirect_chain[-1][0] == inbox
        assert f"You accepted lead {lead.number}" in flashed(response)[0]
        assignment.refresh_from_db()
        lead.refresh_from_db()
        assert (assignment.status, lead.status) == (A.ACCEPTED, L.ACCEPTED)
        assert lead.number not in page(response).split("leads-nav")[1]

    def test_decline_needs_a_reason(self, portal, world, dealer_admin):
        lead, assignment = world.offer()
        client = portal(dealer_admin)
        url = reverse("portal:lead_decline", args=[lead.pk])
        response = client.post(url, {"reason": "  "})
        assert response.status_code == 422 and not flashed(response)
        assert field_errors(page(response), "decline-reason") == ["Give a reason."]
        assert 'class="collapse show" id="decline-form"' in page(response)
        assignment.refresh_from_db()
        assert assignment.status == A.OFFERED
        response = client.post(url, {"reason": "不做商用项目"}, follow=True)
        assert flashed(response) == [f"You declined lead {lead.number}."]
        assignment.refresh_from_db()
        assert (assignment.status, assignment.response_reason) == (A.DECLINED, "不做商用项目")

    def test_past_the_deadline_the_page_says_expired_and_accepting_is_refused(self, portal, world, dealer_admin):
        lead, assignment = world.offer()
        with time_machine.travel(assignment.deadline + datetime.timedelta(minutes=1)):
            client = portal(dealer_admin)  # signed in then: an idle session would have ended
            html = page(client.get(reverse("portal:leads")))
            assert 'data-testid="countdown"' in html and ">expired</span>" in html
            response = client.post(reverse("portal:lead_accept", args=[lead.pk]), follow=True)
        assert flashed(response) == ["The time to accept this lead has passed."]
        assignment.refresh_from_db()
        assert assignment.status == A.OFFERED

    def test_another_dealer_does_not_find_the_offer(self, portal, world, other_dealer_admin):
        lead, assignment = world.offer()
        client = portal(other_dealer_admin)
        assert client.get(reverse("portal:lead_detail", args=[lead.pk])).status_code == 404
        assert client.post(reverse("portal:lead_accept", args=[lead.pk])).status_code == 404
        assert client.post(reverse("portal:lead_decline", args=[lead.pk]), {"reason": "x"}).status_code == 404
        assignment.refresh_from_db()
        assert assignment.status == A.OFFERED

    def test_query_count_does_not_grow_with_the_offers(self, portal, world, dealer_admin):
        client = portal(dealer_admin)
        assert_flat_query_count(client, reverse("portal:leads"), lambda n: [world.offer() for _ in range(n)])


class TestLeadPage:
    def test_an_offered_lead_shows_its_contact_and_the_answers(self, portal, world, dealer_admin):
        lead, _assignment = world.offer(company="西湖中学")
        html = page(portal(dealer_admin).get(reverse("portal:lead_detail", args=[lead.pk])))
        assert 'data-testid="offer-panel"' in html and 'data-testid="accept"' in html
        assert "西湖中学" in html and lead.phone in html
        assert 'data-testid="add-follow-up"' not in html

    def test_follow_up_qualify_and_win_with_an_own_order(self, portal, world, dealer_admin, dealer_staff):
        lead = accepted(world, dealer_admin)
        order = order_services.order_create(actor=dealer_admin, dealer=dealer_admin.dealer)
        client = portal(dealer_staff)
        url = reverse("portal:lead_detail", args=[lead.pk])
        assert 'data-testid="no-follow-up"' in page(client.get(url))
        next_week = timezone.localdate() + datetime.timedelta(days=7)
        response = client.post(
            reverse("portal:lead_follow_up", args=[lead.pk]),
            {"kind": "visit", "note": "上门量了尺寸", "next_action_on": next_week.isoformat()},
            follow=True,
        )
        assert flashed(response) == ["Follow-up logged."]
        html = page(response)
        assert "上门量了尺寸" in html and next_week.isoformat() in html and 'data-testid="no-follow-up"' not in html
        follow_up = FollowUp.objects.get(lead=lead)
        assert (follow_up.kind, follow_up.author, follow_up.next_action_on) == ("visit", dealer_staff, next_week)

        response = client.post(reverse("portal:lead_qualify", args=[lead.pk]), follow=True)
        assert flashed(response) == [f"Lead {lead.number} is qualified."]
        response = client.post(
            reverse("portal:lead_won", args=[lead.pk]), {"amount": "12800", "order": order.number}, follow=True
        )
        assert flashed(response) == [f"Lead {lead.number} is won: ¥12,800.00."]
        lead.refresh_from_db()
        assert (lead.status, lead.won_amount, lead.won_order) == (L.WON, Decimal("12800.00"), order)
        assert order.number in page(response) and 'data-testid="mark-won"' not in page(response)

    def test_won_with_another_dealers_order_is_refused(self, portal, world, dealer_admin, other_dealer_admin):
        theirs = order_services.order_create(actor=other_dealer_admin, dealer=other_dealer_admin.dealer)
        lead = accepted(world, dealer_admin)
        response = portal(dealer_admin).post(
            reverse("portal:lead_won", args=[lead.pk]), {"amount": "100", "order": theirs.number}
        )
        html = page(response)
        assert response.status_code == 422 and not flashed(response)
        assert field_errors(html, "won-order") == ["No such order, or it is not yours."]
        assert field_value(html, "won-order") == theirs.number and field_value(html, "won-amount") == "100"
        assert 'class="collapse mt-3 show" id="won-form"' in html
        lead.refresh_from_db()
        assert (lead.status, lead.won_amount) == (L.ACCEPTED, None)

    def test_won_on_a_lead_not_accepted_is_refused(self, portal, world, dealer_admin):
        lead, _assignment = world.offer()
        response = portal(dealer_admin).post(reverse("portal:lead_won", args=[lead.pk]), {"amount": "100"}, follow=True)
        assert flashed(response) == ["Accept the lead first."]
        lead.refresh_from_db()
        assert (lead.status, lead.won_amount) == (L.ASSIGNED, None)

    def test_lost_needs_a_reason(self, portal, world, dealer_admin):
        lead = accepted(world, dealer_admin)
        client = portal(dealer_admin)
        url = reverse("portal:lead_lost", args=[lead.pk])
        response = client.post(url, {"reason": ""})
        assert response.status_code == 422 and not flashed(response)
        assert field_errors(page(response), "lost-reason") == ["Give a reason."]
        lead.refresh_from_db()
        assert lead.status == L.ACCEPTED
        response = client.post(url, {"reason": "客户选了别家"}, follow=True)
        assert flashed(response) == [f"Lead {lead.number} is marked lost."]
        lead.refresh_from_db()
        assert (lead.status, lead.lost_reason) == (L.LOST, "客户选了别家")
        assert "客户选了别家" in page(response)

    def test_a_follow_up_in_the_past_is_refused(self, portal, world, dealer_admin):
        lead = accepted(world, dealer_admin)
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        response = portal(dealer_admin).post(
            reverse("portal:lead_follow_up", args=[lead.pk]),
            {"kind": "call", "note": "客户说下周再联系", "next_action_on": yesterday.isoformat()},
        )
        html = page(response)
        assert response.status_code == 422 and not flashed(response)
        assert field_errors(html, "follow-up-next_action_on") == ["The next action cannot be in the past."]
        assert field_value(html, "follow-up-note") == "客户说下周再联系"
        assert field_value(html, "follow-up-next_action_on") == yesterday.isoformat()
        assert field_value(html, "follow-up-kind") == "call"
        assert not FollowUp.objects.exists()

    def test_contact_is_hidden_after_recall(self, portal, world, dealer_admin):
        lead, assignment = world.offer(company="滨江物业", message="十台净水器")
        services.assignments_recall_expired(now=assignment.deadline + datetime.timedelta(seconds=1))
        client = portal(dealer_admin)
        html = page(client.get(reverse("portal:lead_detail", args=[lead.pk])))
        assert 'data-testid="contact-hidden"' in html and "withdrawn" in html
        for text in (lead.contact_name, lead.phone, "滨江物业", "十台净水器"):
            assert text not in html
        assert lead.number not in page(client.get(reverse("portal:leads"))).split("leads-nav")[1]
        response = client.post(reverse("portal:lead_accept", args=[lead.pk]), follow=True)
        assert flashed(response) == ["This lead is no longer offered to your dealer."]
        assignment.refresh_from_db()
        assert assignment.status == A.EXPIRED

    def test_query_count_does_not_grow_with_the_follow_ups(self, portal, world, dealer_admin):
        lead = accepted(world, dealer_admin)

        def add(n):
            for i in range(n):
                services.follow_up_add(actor=dealer_admin, lead=lead, kind="call", note=f"第 {i} 次电话")

        assert_flat_query_count(portal(dealer_admin), reverse("portal:lead_detail", args=[lead.pk]), add)


class TestPipeline:
    def test_grouped_by_status_with_the_next_action_and_the_silent_leads(self, portal, world, dealer_admin):
        silent = accepted(world, dealer_admin)
        busy = accepted(world, dealer_admin)
        today = timezone.localdate()
        services.follow_up_add(actor=dealer_admin, lead=busy, kind="call", next_action_on=today)
        qualified = accepted(world, dealer_admin)
        services.lead_qualify(actor=dealer_admin, lead=qualified)
        won = accepted(world, dealer_admin)
        services.lead_mark_won(actor=dealer_admin, lead=won, amount="9900")
        lost = accepted(world, dealer_admin)
        services.lead_mark_lost(actor=dealer_admin, lead=lost, reason="预算取消")
        world.offer()
        client = portal(dealer_admin)
        url = reverse("portal:lead_pipeline")

        response = client.get(url)
        assert response.context["tab"] == L.ACCEPTED
        counts = {status: count for status, _label, count in response.context["tabs"]}
        assert counts == {"accepted": 1, "contacted": 1, "qualified": 1, "won": 1, "lost": 1}
        assert [lead.pk for lead in response.context["leads"]] == [silent.pk]
        assert 'data-testid="no-follow-up"' in page(response)

        assert 'data-testid="overdue"' not in page(client.get(url, {"status": "contacted"}))
        with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
            html = page(portal(dealer_admin).get(url, {"status": "contacted"}))
        assert busy.number in html and 'data-testid="overdue"' in html and "(overdue)" in html
        assert 'data-testid="no-follow-up"' not in html

        html = page(client.get(url, {"status": "qualified"}))
        assert qualified.number in html and 'data-testid="no-follow-up"' in html
        html = page(client.get(url, {"status": "won"}))
        assert won.number in html and "¥9,900.00" in html
        assert "预算取消" in page(client.get(url, {"status": "lost"}))

    def test_leads_no_longer_held_are_not_in_it(self, portal, world, dealer_admin, hq_admin, dealer_two):
        lead = accepted(world, dealer_admin)
        services.lead_assign_manually(actor=hq_admin, lead=lead, dealer=dealer_two)
        response = portal(dealer_admin).get(reverse("portal:lead_pipeline"))
        assert all(count == 0 for _status, _label, count in response.context["tabs"])

    def test_query_count_does_not_grow_with_the_leads(self, portal, world, dealer_admin):
        def add(n):
            for _ in range(n):
                lead = accepted(world, dealer_admin)
                services.follow_up_add(actor=dealer_admin, lead=lead, kind="call", next_action_on=timezone.localdate())

        url = reverse("portal:lead_pipeline") + "?status=contacted"
        assert_flat_query_count(portal(dealer_admin), url, add)


class TestFigures:
    def test_the_figures_are_kept_a_minute_per_dealer(self, portal, world, dealer_admin):
        world.offer()
        assert portal(dealer_admin).get(reverse("portal:lead_stats")).context["periods"][0]["counts"][0][2] == 1
        world.offer()
        with CaptureQueriesContext(connection) as queries:
            response = portal(dealer_admin).get(reverse("portal:lead_stats"))
        assert response.context["periods"][0]["counts"][0][2] == 1
        assert not [q for q in queries.captured_queries if "leads_assignment" in q["sql"]]
        assert "Counts and charts refresh every minute." in page(response)

    def test_this_month_and_the_last_12_months(self, portal, world, dealer_admin, dealer_two):
        now = timezone.localtime()
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        with time_machine.travel(month_start - datetime.timedelta(days=40)):
            earlier, _offer = world.offer()
            services.assignment_accept(actor=dealer_admin, assignment=_offer)
        with time_machine.travel(month_start - datetime.timedelta(days=400)):
            world.offer()  # more than 12 months ago
        with time_machine.travel(month_start + datetime.timedelta(minutes=1), tick=False):
            quick, quick_offer = world.offer()
            slow, slow_offer = world.offer()
            _declined, declined_offer = world.offer()
            _expired, expired_offer = world.offer()
            world.offer(dealer_two)
        with time_machine.travel(month_start + datetime.timedelta(minutes=11), tick=False):
            services.assignment_accept(actor=dealer_admin, assignment=quick_offer)
            services.assignment_decline(actor=dealer_admin, assignment=declined_offer, reason="忙不过来")
        with time_machine.travel(month_start + datetime.timedelta(minutes=31), tick=False):
            services.assignment_accept(actor=dealer_admin, assignment=slow_offer)
        services.assignments_recall_expired(now=expired_offer.deadline + datetime.timedelta(seconds=1))
        services.lead_mark_won(actor=dealer_admin, lead=quick, amount="20000")
        services.lead_mark_won(actor=dealer_admin, lead=earlier, amount="5000")
        services.lead_mark_lost(actor=dealer_admin, lead=slow, reason="价格")

        response = portal(dealer_admin).get(reverse("portal:lead_stats"))
        month, year = response.context["periods"]
        assert {key: value for key, _label, value in month["counts"]} == {
            "received": 4,
            "accepted": 2,
            "declined": 1,
            "expired": 1,
            "won": 2,
            "lost": 1,
        }
        assert (month["won_amount"], month["acceptance_rate"], month["win_rate"]) == (Decimal("25000.00"), "50%", "67%")
        assert month["time_to_accept"] == "20 min"
        assert {key: value for key, _label, value in year["counts"]}["received"] == 5
        assert year["acceptance_rate"] == "60%"
        html = page(response)
        assert "¥25,000.00" in html and "20 min" in html

    def test_with_no_leads_the_rates_are_blank(self, portal, world, dealer_admin):
        response = portal(dealer_admin).get(reverse("portal:lead_stats"))
        month, _year = response.context["periods"]
        assert (month["acceptance_rate"], month["win_rate"], month["time_to_accept"]) == ("—", "—", "—")

    def test_query_count_does_not_grow_with_the_leads(self, portal, world, dealer_admin):
        def add(n):
            for _ in range(n):
                lead = accepted(world, dealer_admin)
                services.lead_mark_won(actor=dealer_admin, lead=lead, amount="100")

        assert_flat_query_count(portal(dealer_admin), reverse("portal:lead_stats"), add)


def register(user, line, company="杭州美居装饰有限公司", **kwargs) -> DealRegistration:
    return services.registration_submit(
        actor=user,
        product_line=line,
        customer_company=company,
        customer_phone=kwargs.pop("customer_phone", "" if kwargs.get("customer_uscc") else company_phone(company)),
        expected_value="50000",
        expected_close_on=timezone.localdate() + datetime.timedelta(days=30),
        **kwargs,
    )


class TestRegistrations:
    def test_the_list_and_page_show_only_the_dealers_own_without_clashes(
        self, portal, world, dealer_admin, other_dealer_admin
    ):
        theirs = register(other_dealer_admin, world.line, customer_phone="13800138000")
        mine = register(dealer_admin, world.line, company="杭州 美居装饰", customer_phone="13800138000")
        assert mine.clashes
        client = portal(dealer_admin)
        response = client.get(reverse("portal:registrations"))
        assert [r.pk for r in response.context["registrations"]] == [mine.pk]
        html = page(client.get(reverse("portal:registration_detail", args=[mine.pk])))
        assert "杭州 美居装饰" in html and "Head office has not decided yet" in html
        for text in ("clash", other_dealer_admin.dealer.name, other_dealer_admin.dealer.code, '"registration"'):
            assert text not in html
        assert client.get(reverse("portal:registration_detail", args=[theirs.pk])).status_code == 404

    def test_an_approved_registration_shows_its_protection(self, portal, world, dealer_admin, hq_admin):
        registration = services.registration_approve(actor=hq_admin, registration=register(dealer_admin, world.line))
        html = page(portal(dealer_admin).get(reverse("portal:registration_detail", args=[registration.pk])))
        assert f"protected for your dealer until {registration.protected_until.isoformat()}" in html

    def test_submit_a_registration(self, portal, world, dealer_admin):
        other_line = ProductLineFactory(code="laundry")
        client = portal(dealer_admin)
        form = client.get(reverse("portal:registration_create")).context["form"]
        assert list(form.fields["product_line"].queryset) == [world.line]
        close = timezone.localdate() + datetime.timedelta(days=20)
        data = {
            "customer_company": "杭州锦江大酒店有限公司",
            "customer_phone": "0571-88776655",
            "product_line": world.line.pk,
            "expected_value": "380000",
            "expected_close_on": close.isoformat(),
        }
        response = client.post(reverse("portal:registration_create"), {**data, "product_line": other_line.pk})
        assert "product_line" in response.context["form"].errors
        assert not DealRegistration.objects.exists()
        response = client.post(reverse("portal:registration_create"), data, follow=True)
        registration = DealRegistration.objects.get()
        assert response.redirect_chain[-1][0] == reverse("portal:registration_detail", args=[registration.pk])
        assert "杭州锦江大酒店有限公司 is registered" in flashed(response)[0]
        assert (registration.dealer, registration.expected_value, registration.expected_close_on) == (
            dealer_admin.dealer,
            Decimal("380000.00"),
            close,
        )

    def test_a_customer_another_dealer_protects_is_refused_on_the_form(
        self, portal, world, dealer_admin, other_dealer_admin, hq_admin
    ):
        services.registration_approve(actor=hq_admin, registration=register(other_dealer_admin, world.line))
        response = portal(dealer_admin).post(
            reverse("portal:registration_create"),
            {
                "customer_company": "杭州美居装饰",
                "customer_phone": company_phone("杭州美居装饰"),
                "product_line": world.line.pk,
                "expected_value": "1000",
                "expected_close_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
            },
        )
        assert response.status_code == 200
        assert "Another dealer has registered this customer" in page(response)
        assert not DealRegistration.objects.filter(dealer=dealer_admin.dealer).exists()

    def test_a_bad_credit_code_is_shown_on_the_form(self, portal, world, dealer_admin):
        response = portal(dealer_admin).post(
            reverse("portal:registration_create"),
            {
                "customer_company": "杭州美居装饰",
                "customer_uscc": "12345",
                "product_line": world.line.pk,
                "expected_value": "1000",
                "expected_close_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
            },
        )
        assert "customer_uscc" in response.context["form"].errors
        assert not DealRegistration.objects.exists()

    def test_a_bad_phone_and_credit_code_come_with_the_other_errors_at_once(self, portal, world, dealer_admin):
        response = portal(dealer_admin).post(
            reverse("portal:registration_create"),
            {
                "customer_company": "杭州美居装饰",
                "customer_uscc": "12345",
                "customer_phone": "12345",
                "product_line": world.line.pk,
                "expected_value": "",
                "expected_close_on": "",
            },
        )
        html = page(response)
        assert set(response.context["form"].errors) == {
            "customer_uscc",
            "customer_phone",
            "expected_value",
            "expected_close_on",
        }
        assert "mainland China mobile number" in field_errors(html, "id_customer_phone")[0]
        assert field_value(html, "id_customer_phone") == "12345"
        assert not DealRegistration.objects.exists()

    def test_query_count_does_not_grow_with_the_registrations(self, portal, world, dealer_admin):
        def add(n):
            for _ in range(n):
                register(dealer_admin, world.line, company=f"客户公司{next(PHONES)}")

        assert_flat_query_count(portal(dealer_admin), reverse("portal:registrations"), add)
