"""The documents waiting for review across dealers, ticked and verified together through ``document_verify``,
with a result per document."""

import pytest
from django.test import Client
from django.urls import reverse

from dealers.models import QualificationDocument
from dms.accounts.models import Role
from tests.dealers.test_documents import upload
from tests.factories import UserFactory, region
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db
QUEUE = reverse("dealers:document_queue")
D = QualificationDocument.Status


def en_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def statuses(documents) -> list[str]:
    return [QualificationDocument.objects.get(pk=document.pk).status for document in documents]


def test_the_queue_lists_pending_documents_and_verifies_the_ticked_ones(
    hq_staff, hq_admin, dealer_admin, other_dealer_admin
):
    mine = upload(dealer_admin, dealer_admin.dealer)
    other = upload(other_dealer_admin, other_dealer_admin.dealer, code="authorisation_letter")
    done = upload(dealer_admin, dealer_admin.dealer, code="authorisation_letter")
    from dealers import services

    services.document_verify(actor=hq_admin, document=done)
    client = en_client(hq_staff)
    response = client.get(QUEUE)
    assert [doc.pk for doc in response.context["documents"]] == [mine.pk, other.pk]
    assert 'data-testid="bulk-verify"' in response.content.decode()

    response = client.post(QUEUE, {"action": "verify", "selected": [mine.pk, done.pk]}, follow=True)
    rows = response.context["bulk_results"]
    assert [(row["ok"], row["message"]) for row in rows] == [
        (True, "Verified."),
        (False, "Only a document waiting for review can be verified or rejected."),
    ]
    assert rows[0]["label"].startswith(dealer_admin.dealer.code)
    assert statuses([mine, other, done]) == [D.VERIFIED, D.PENDING, D.VERIFIED]
    assert [doc.pk for doc in response.context["documents"]] == [other.pk]


def test_documents_of_dealers_outside_the_territory_are_neither_listed_nor_verified(dealer_admin, other_dealer_admin):
    canton = UserFactory(username="canton", role=Role.HQ_STAFF)
    canton.regions.set([region("440000")])
    hangzhou = upload(dealer_admin, dealer_admin.dealer)
    client = en_client(canton)
    assert hangzhou.pk not in [doc.pk for doc in client.get(QUEUE).context["documents"]]
    response = client.post(QUEUE, {"action": "verify", "selected": [hangzhou.pk]}, follow=True)
    assert [row["message"] for row in response.context["bulk_results"]] == ["Not found, or not yours to act on."]
    assert statuses([hangzhou]) == [D.PENDING]


def test_dealer_users_cannot_open_or_post_to_the_queue(dealer_admin):
    document = upload(dealer_admin, dealer_admin.dealer)
    client = en_client(dealer_admin)
    assert client.get(QUEUE).status_code == 403
    assert client.post(QUEUE, {"action": "verify", "selected": [document.pk]}).status_code == 403
    assert statuses([document]) == [D.PENDING]


def test_the_queue_costs_the_same_queries_with_more_documents(hq_admin):
    from tests.factories import DealerFactory

    def add(n):
        for _ in range(n):
            dealer = DealerFactory()
            upload(hq_admin, dealer)

    assert_flat_query_count(en_client(hq_admin), QUEUE, add)
