"""The dealer lists at size: per-row figures computed for the page's rows only, the review queue read from an
index, and the API's rows serialised from what the selector prefetched."""

import pytest
from django.urls import reverse

from dealers.models import Dealer, DealerContact, QualificationDocument
from dealers.selectors import dealer_list
from tests.dealers.test_documents import upload
from tests.factories import DealerFactory, region
from tests.platform.query_budget import plan_of

pytestmark = pytest.mark.django_db


def test_the_dealer_list_counts_contacts_per_dealer_without_grouping_the_scope(client_as, hq_admin):
    busy, quiet = DealerFactory(), DealerFactory()
    for name in ("王立", "李娜"):
        DealerContact.objects.create(dealer=busy, name=name, phone="13800138000")
    assert dealer_list(user=hq_admin).query.group_by is None
    dealers = client_as(hq_admin).get(reverse("dealers:list")).context["dealers"]
    counts = {d.code: d.contact_count for d in dealers}
    assert counts[busy.code] == 2 and counts[quiet.code] == 0


def test_the_review_queue_reads_pending_documents_oldest_first_from_an_index(hq_admin):
    upload(hq_admin, DealerFactory())
    queue = QualificationDocument.objects.filter(status=QualificationDocument.Status.PENDING).order_by(
        "uploaded_at", "pk"
    )[:25]
    plan = plan_of(queue)
    assert "document_status_uploaded_idx" in plan, plan
    assert "Sort" not in plan, plan


def test_the_dealer_api_shows_labels_regions_served_and_contacts_as_before(api_as, hq_admin):
    dealer = DealerFactory(status=Dealer.Status.PROBATION, tier="A")
    dealer.served_regions.set([region("330100"), region("330200")])
    DealerContact.objects.create(dealer=dealer, name="赵六", phone="13800138001")
    DealerContact.objects.create(dealer=dealer, name="王立", phone="13800138000", is_primary=True)
    row = api_as(hq_admin).get(f"/api/v1/dealers/{dealer.pk}/").json()
    assert row["status_display"] == dealer.get_status_display()
    assert row["tier_display"] == dealer.get_tier_display()
    assert row["served_regions"] == ["330100", "330200"]
    assert [c["name"] for c in row["contacts"]] == ["王立", "赵六"]


def test_the_users_api_shows_the_role_label(api_as, hq_admin, sales_rep):
    rows = api_as(hq_admin).get("/api/v1/users/", {"role": "sales_rep"}).json()["results"]
    assert {r["role_display"] for r in rows} == {sales_rep.get_role_display()}
