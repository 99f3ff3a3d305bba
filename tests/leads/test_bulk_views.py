"""Giving the leads ticked on the lead list or in the unassigned queue to one dealer: each through the same
service as assigning it by hand, with a result per lead."""

import pytest
from django.test import Client
from django.urls import reverse

from leads.models import Assignment, Lead
from tests.factories.orders import ProductLineFactory
from tests.leads.test_desk_views import canton_staff, holder_code, line, routed  # noqa: F401

pytestmark = pytest.mark.django_db
L = Lead.Status


def en_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def results_of(response) -> list[tuple[str, bool, str]]:
    return [(row["label"], row["ok"], row["message"]) for row in response.context["bulk_results"]]


@pytest.fixture
def waiting(line):  # noqa: F811
    """Two leads from 宁波, where nobody serves, and one for a product line no dealer sells."""
    leads = [
        routed(line, "330200", 9),
        routed(line, "330200", 10),
        routed(ProductLineFactory(code="boiler"), "330200", 11),
    ]
    assert {lead.status for lead in leads} == {L.UNASSIGNED}
    return leads


def test_bulk_assignment_from_the_queue_gives_each_lead_or_says_why_not(waiting, hq_staff, dealer_one):
    queue = reverse("leads:unassigned")
    client = en_client(hq_staff)
    assert 'data-testid="bulk-bar"' in client.get(queue).content.decode()
    response = client.post(
        queue, {"action": "assign", "selected": [lead.pk for lead in waiting], "dealer": dealer_one.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == queue
    first, second, boiler = waiting
    assert results_of(response) == [
        (first.number, True, "Assigned."),
        (second.number, True, "Assigned."),
        (boiler.number, False, "The dealer is not authorised for this product line where the lead is."),
    ]
    assert [holder_code(lead) for lead in waiting] == [dealer_one.code, dealer_one.code, None]
    assert Assignment.objects.filter(lead=first).get().assigned_by == hq_staff
    assert [item["lead"].pk for item in response.context["items"]] == [boiler.pk]


def test_the_lead_list_bulk_bar_finds_dealers_by_typing_instead_of_listing_them_all(waiting, hq_staff, dealer_one):
    page = en_client(hq_staff).get(reverse("leads:list")).content.decode()
    bar = page[page.index('data-testid="bulk-bar"') :]
    select = bar[bar.index("<select") : bar.index("</select>")]
    assert 'data-picker="remote"' in select
    assert reverse("dealers:picker_dealers") in select
    assert dealer_one.name not in select


def test_bulk_assignment_from_the_lead_list_respects_capacity(waiting, hq_staff, dealer_one):
    dealer_one.lead_capacity = 1
    dealer_one.save()
    first, second, _boiler = waiting
    url = reverse("leads:list")
    client = en_client(hq_staff)
    page = client.get(url).content.decode()
    assert 'data-testid="select-page"' in page and page.count('data-testid="select-row"') == 3
    response = client.post(
        url, {"action": "assign", "selected": [first.pk, second.pk], "dealer": dealer_one.pk}, follow=True
    )
    assert [ok for _label, ok, _message in results_of(response)] == [True, False]
    assert "capacity" in results_of(response)[1][2]
    response = client.post(
        url,
        {"action": "assign", "selected": [second.pk], "dealer": dealer_one.pk, "override_reason": "客户指定"},
        follow=True,
    )
    assert results_of(response) == [(second.number, True, "Assigned.")]
    assert Assignment.objects.get(lead=second).override_reason == "客户指定"


def test_bulk_assignment_without_a_dealer_is_a_field_error_and_changes_nothing(waiting, hq_staff):
    response = en_client(hq_staff).post(reverse("leads:unassigned"), {"action": "assign", "selected": [waiting[0].pk]})
    assert response.status_code == 422
    assert response.context["bulk_form"].errors == {"dealer": ["Choose a dealer."]}
    assert 'data-testid="bulk-dealer-error"' in response.content.decode()
    assert holder_code(waiting[0]) is None


def test_leads_and_dealers_outside_the_users_territory_are_not_touched(waiting, canton_staff, dealer_one, dealer_two):  # noqa: F811
    client = en_client(canton_staff)
    queue = reverse("leads:unassigned")
    # Dealer 1 is outside 广东: not a choice at all.
    response = client.post(queue, {"action": "assign", "selected": [waiting[0].pk], "dealer": dealer_one.pk})
    assert response.context["bulk_form"].errors == {"dealer": ["Choose a dealer."]}
    # The 宁波 lead is outside 广东: reported, never assigned.
    response = client.post(
        queue, {"action": "assign", "selected": [waiting[0].pk], "dealer": dealer_two.pk}, follow=True
    )
    assert results_of(response) == [(f"#{waiting[0].pk}", False, "Not found, or not yours to act on.")]
    assert holder_code(waiting[0]) is None
