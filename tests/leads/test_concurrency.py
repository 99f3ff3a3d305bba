"""Assignment under real concurrent PostgreSQL connections: two sweeps at once over the same new
leads give every lead exactly one open assignment, and a crashed batch loses nothing."""

import threading

import pytest
from django.db import connection
from django.db.models import Count

from leads import routing, services
from leads.models import Assignment, Lead
from leads.services import intake
from tests.factories import DealerFactory, region
from tests.factories.orders import ProductLineFactory, authorize

pytestmark = pytest.mark.django_db(transaction=True)
LEADS = 1000


@pytest.fixture
def market(monkeypatch):
    """1,000 new leads in 杭州 and 20 dealers serving it with room for all of them."""
    monkeypatch.setattr(intake, "queue_assignment", lambda: None)  # the sweeps below do the assigning
    line = ProductLineFactory(code="ac")
    for n in range(20):
        dealer = DealerFactory(code=f"HZ{n:02d}", lead_capacity=60, region=region("330100"))
        dealer.served_regions.set([region("330100")])
        authorize(dealer, line)
    hangzhou = region("330102")
    for n in range(LEADS):
        services.lead_create(
            actor=None,
            source="import",
            contact_name=f"客户{n}",
            phone=f"139{n:08d}",
            region=hangzhou,
            product_line=line,
        )
    return line


def sweep(batch_size: int) -> int:
    assigned = 0
    try:
        while True:
            done = services.leads_assign(batch_size=batch_size)
            if not any(done.values()):
                return assigned
            assigned += done["assigned"]
    finally:
        connection.close()


def test_two_sweeps_at_once_assign_every_lead_exactly_once(market):
    results = [None, None]
    barrier = threading.Barrier(2)

    def run(index):
        barrier.wait(10)
        results[index] = sweep(100)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sum(results) == LEADS
    assert all(results), "both sweeps took a share"
    per_lead = Assignment.objects.filter(status__in=Assignment.OPEN).values("lead").annotate(n=Count("id"))
    assert per_lead.count() == LEADS and {row["n"] for row in per_lead} == {1}
    assert not Lead.objects.exclude(status=Lead.Status.ASSIGNED).exists()
    loads = Assignment.objects.values("dealer").annotate(n=Count("id"))
    assert {row["n"] for row in loads} == {50}  # fairness: 1,000 leads over 20 equal dealers


def test_a_batch_that_crashes_loses_no_lead(market, monkeypatch):
    original = routing.Router.decide
    calls = {"n": 0}

    def crash_after_some(self, lead):
        calls["n"] += 1
        if calls["n"] == 50:
            raise RuntimeError("worker killed")
        return original(self, lead)

    monkeypatch.setattr(routing.Router, "decide", crash_after_some)
    with pytest.raises(RuntimeError):
        services.leads_assign(batch_size=100)
    assert not Assignment.objects.exists()
    assert Lead.objects.filter(status=Lead.Status.NEW).count() == LEADS
    monkeypatch.setattr(routing.Router, "decide", original)
    assert sweep(500) == LEADS
