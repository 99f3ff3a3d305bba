"""Assigning a batch of leads costs a fixed number of queries, whatever the batch size and whatever the
leads need: protection by a deal registration, a dealer that declined before, a manual rule, no candidate."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dms.accounts.models import Role
from leads import services
from leads.models import Assignment, AssignmentRule, DealRegistration, Lead
from tests.factories import DealerFactory, UserFactory, region
from tests.factories.orders import ProductLineFactory, authorize

pytestmark = pytest.mark.django_db

# The claim, six reads for the routing (protections, served regions, authorisations, dealers with their load,
# earlier refusals, rules), one INSERT of assignments, one UPDATE per outcome (assigned, manual rule, no
# candidate), the dealers' administrators, one INSERT of events, and the savepoint around it all.
QUERIES = 15


@pytest.fixture
def world():
    line = ProductLineFactory(code="ac", name="空调", name_en="Air conditioning")
    city = DealerFactory(
        code="CITY", tier="A", lead_capacity=1000, latitude=Decimal("30.25"), longitude=Decimal("120.2")
    )
    other = DealerFactory(code="OTHER", tier="C", lead_capacity=1000)
    limited = DealerFactory(code="LIMITED", lead_capacity=1000)
    province = DealerFactory(code="PROV", lead_capacity=1000)
    for dealer, served in ((city, "330100"), (other, "330100"), (limited, "330100"), (province, "330000")):
        dealer.served_regions.set([region(served)])
        UserFactory(role=Role.DEALER_ADMIN, dealer=dealer)
    authorize(city, line)
    authorize(other, line)
    authorize(province, line)
    authorize(limited, line, regions=[region("330106")])
    AssignmentRule.objects.create(name="Guangzhou by hand", region=region("440000"), strategy="manual")
    DealRegistration.objects.create(
        dealer=province,
        customer_company="杭州大客户有限公司",
        customer_key="杭州大客户",
        product_line=line,
        expected_value=Decimal("100000.00"),
        expected_close_on=timezone.localdate() + datetime.timedelta(days=30),
        status=DealRegistration.Status.APPROVED,
        protected_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    return {"line": line, "city": city}


def new_leads(world, size: int) -> list[Lead]:
    """``size`` new leads: most for 杭州, some under a manual rule, some where nobody serves; one of a protected
    customer and one that the favourite dealer declined before."""
    where = ("330106", "330100", "440100", "510100")
    leads = Lead.objects.bulk_create(
        Lead(
            contact_name="王先生",
            phone=f"138{n:08d}",
            region=region(where[n % len(where)]),
            product_line=world["line"],
            source=Lead.Source.WEB,
            latitude=Decimal("30.27") if n % 2 else None,
            longitude=Decimal("120.15") if n % 2 else None,
        )
        for n in range(size)
    )
    Lead.objects.filter(pk=leads[0].pk).update(company="杭州大客户有限公司", company_key="杭州大客户")
    Assignment.objects.create(
        lead=leads[1], dealer=world["city"], deadline=timezone.now(), status=Assignment.Status.DECLINED
    )
    return leads


@pytest.mark.parametrize("size", [5, 50])
def test_a_batch_costs_the_same_queries_at_any_size(world, size, django_assert_num_queries):
    leads = new_leads(world, size)
    ContentType.objects.get_for_model(Lead)  # cached for the process, as in a running worker
    with django_assert_num_queries(QUERIES):
        done = services.leads_assign(batch_size=size)
    assert done["assigned"] + done["unassigned"] == size
    statuses = dict(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("pk", "unassigned_reason"))
    assert set(statuses.values()) == {"", Lead.UnassignedReason.MANUAL_RULE, Lead.UnassignedReason.NO_CANDIDATE}
    protected = Assignment.objects.get(lead=leads[0], status=Assignment.Status.OFFERED)
    assert protected.dealer.code == "PROV" and "protected_by" in protected.decision["candidates"][0]
    again = Assignment.objects.get(lead=leads[1], status=Assignment.Status.OFFERED)
    assert again.dealer.code != "CITY"


def test_a_batch_after_others_costs_the_same_queries(world, django_assert_num_queries):
    """Dealers now hold leads and were assigned some a moment ago: their load and last lead come with them."""
    new_leads(world, 20)
    services.leads_assign(batch_size=20)
    new_leads(world, 20)
    with django_assert_num_queries(QUERIES):
        services.leads_assign(batch_size=20)
