"""The leads cards on the HQ dashboard and the portal home: what needs attention, in the user's scope, for
a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dms.accounts.models import Role
from leads import home, services
from leads.models import Assignment, AssignmentRule
from tests.factories import UserFactory, region
from tests.factories.orders import ProductLineFactory, authorize
from tests.leads.test_reports import tell_story
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(dealer_one, dealer_two):
    made = ProductLineFactory(code="ac")
    authorize(dealer_one, made)
    authorize(dealer_two, made)
    dealer_one.served_regions.set([region("330100")])
    dealer_two.served_regions.set([region("440100")])
    return made


def take(line, where, n):
    lead, _created = services.lead_create(
        actor=None,
        source="web",
        contact_name=f"客户{n}",
        phone=f"1380000{n:04d}",
        region=region(where),
        product_line=line,
    )
    return lead


def test_the_hq_card_counts_what_needs_attention(dealer_admin, other_dealer_admin, hq_staff):
    story = tell_story(dealer_admin, other_dealer_admin)
    AssignmentRule.objects.create(name="热线快速响应", region=region("440000"), accept_minutes=60)
    take(story.leads[3].product_line, "440100", 20)
    services.leads_assign()
    services.registration_submit(
        actor=dealer_admin,
        product_line=story.leads[1].product_line,
        customer_company="西湖茶社",
        customer_phone="0571-88886666",
        expected_value="8000",
        expected_close_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    [card] = home.hq_cards(hq_staff)
    # L3, L4 and L5 wait for head office; the new 广州 lead has an hour to be accepted; L1 was won this month.
    assert (card["unassigned"], card["expiring"], card["waiting"], card["won"]) == (3, 1, 1, 1)
    assert str(card["won_amount"]) == "1000.00"


def test_the_hq_card_keeps_to_the_users_region(dealer_admin, other_dealer_admin):
    tell_story(dealer_admin, other_dealer_admin)
    canton = UserFactory(username="canton", role=Role.HQ_STAFF)
    canton.regions.set([region("440000")])
    [card] = home.hq_cards(canton)
    assert (card["unassigned"], card["won"]) == (2, 0)


def test_the_dashboard_links_each_figure(client_as, hq_staff, line):
    take(line, "330200", 1)
    services.leads_assign()
    page = client_as(hq_staff).get(reverse("hq:home")).content.decode()
    assert 'data-testid="leads-home"' in page
    assert f'href="{reverse("leads:unassigned")}"' in page and f'href="{reverse("leads:funnel")}"' in page
    assert f'href="{reverse("leads:registrations")}?status=submitted"' in page


def test_the_portal_card_shows_the_leads_waiting_and_the_first_deadline(line, dealer_admin, dealer_one):
    first, second = take(line, "330106", 1), take(line, "330106", 2)
    take(line, "440100", 3)
    services.leads_assign()
    offer = first.assignments.get()
    soon = timezone.now() + datetime.timedelta(minutes=30)
    Assignment.objects.filter(pk=offer.pk).update(deadline=soon)
    Assignment.objects.filter(lead=second).update(deadline=timezone.now() - datetime.timedelta(minutes=1))
    [card] = home.portal_cards(dealer_admin)
    # The 广州 lead is dealer 2's, and the second offer's time is up.
    assert card["count"] == 1 and card["first_deadline"] == soon and card["urgent"]
    client = Client()
    client.force_login(dealer_admin)
    page = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="card-inbox"' in page and f'href="{reverse("portal:leads")}"' in page
    assert timezone.localtime(soon).strftime("%Y-%m-%d %H:%M") in page


def test_nothing_waiting_says_so(dealer_admin):
    [card] = home.portal_cards(dealer_admin)
    assert card["count"] == 0 and card["first_deadline"] is None and not card["urgent"]


def count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def test_each_card_costs_a_fixed_number_of_queries(line, hq_staff, dealer_admin, client_as):
    def add(n):
        for i in range(n):
            take(line, "330106" if i % 2 else "330200", 100 + len(added) + i)
        added.extend(range(n))
        services.leads_assign()

    added: list = []
    add(3)
    home.hq_figures(hq_staff)  # the user's regions are read once, on the first call
    few = (count(lambda: home.hq_figures(hq_staff)), count(lambda: home.portal_cards(dealer_admin)))
    add(27)
    assert few == (count(lambda: home.hq_figures(hq_staff)), count(lambda: home.portal_cards(dealer_admin)))
    assert few[1] == 1
    assert_flat_query_count(client_as(hq_staff), reverse("hq:home"), add)
