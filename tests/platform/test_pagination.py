"""Page numbers past either end of a list show the nearest page, on the HTML lists and in the API alike."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(hq_admin):
    """30 users with ``hq_admin``: two pages of 25 on the HTML list and two in the API."""
    UserFactory.create_batch(29)


@pytest.mark.parametrize(("asked", "shown"), [("999", 2), ("2", 2), ("last", 2), ("0", 1), ("-3", 1)])
def test_an_html_list_shows_the_nearest_page(client_as, hq_admin, users, asked, shown):
    response = client_as(hq_admin).get(reverse("accounts:user_list"), {"page": asked})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert (page.number, len(page.object_list)) == (shown, 25 if shown == 1 else 5)


def test_an_html_list_still_refuses_a_page_that_is_not_a_number(client_as, hq_admin, users):
    assert client_as(hq_admin).get(reverse("accounts:user_list"), {"page": "two"}).status_code == 404


@pytest.mark.parametrize(("asked", "shown"), [("999", 2), ("2", 2), ("last", 2), ("0", 1)])
def test_an_api_list_answers_the_nearest_page(api_as, hq_admin, users, asked, shown):
    response = api_as(hq_admin).get("/api/v1/users/", {"page": asked})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 30 and len(body["results"]) == (25 if shown == 1 else 5)
    assert (body["next"] is None, body["previous"] is None) == (shown == 2, shown == 1)


def test_an_empty_api_list_answers_its_one_empty_page(api_as, dealer_admin):
    response = api_as(dealer_admin).get("/api/v1/invoices/", {"page": 5})
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.fixture
def count_to_twenty(monkeypatch):
    """Lists count no further than 20 rows, so the 30 users are "more than the limit"."""
    monkeypatch.setattr("dms.pagination.COUNT_LIMIT", 20)


def test_a_list_longer_than_it_counts_says_so_and_still_pages_to_its_end(client_as, hq_admin, users, count_to_twenty):
    client = client_as(hq_admin)
    first = client.get(reverse("accounts:user_list"))
    assert "20+" in first.content.decode()
    assert first.context["page_obj"].has_next()
    last = client.get(reverse("accounts:user_list"), {"page": 2})
    page = last.context["page_obj"]
    assert (len(page.object_list), page.has_next(), page.start_index(), page.end_index()) == (5, False, 26, 30)


def test_an_api_list_longer_than_it_counts_has_no_count_and_a_next_link_to_its_end(
    api_as, hq_admin, users, count_to_twenty
):
    client = api_as(hq_admin)
    first = client.get("/api/v1/users/").json()
    assert first["count"] is None and len(first["results"]) == 25 and first["next"]
    second = client.get(first["next"]).json()
    assert (second["count"], len(second["results"]), second["next"]) == (None, 5, None)
