"""The lead funnel's figures, exactly: stages, conversion, time to accept, SLA breaches and the breakdowns by
province, dealer, source and month, within the user's scope and a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from leads import reports, services
from leads.models import Assignment, Lead
from leads.selectors import lead_list
from tests.factories import UserFactory, region
from tests.factories.orders import ProductLineFactory, authorize

pytestmark = pytest.mark.django_db
A, L = Assignment.Status, Lead.Status
HOUR = datetime.timedelta(hours=1)


@dataclass
class Story:
    """Seven leads: L1 won, L2 lost, L3 declined, L4 expired, L5 for a line nobody sells, L6 accepted and
    never followed up (reminded, then escalated), L7 received before the period."""

    leads: dict
    hangzhou: object
    guangzhou: object
    start: datetime.date
    end: datetime.date


def take(source, where, line, n, **kwargs):
    lead, created = services.lead_create(
        actor=None,
        source=source,
        contact_name=f"客户{n}",
        phone=f"1390000{n:04d}",
        region=region(where),
        product_line=line,
        **kwargs,
    )
    assert created
    return lead


def offer(lead) -> Assignment:
    return lead.assignments.get(status__in=Assignment.OPEN)


def timed(lead, *, took: datetime.timedelta, answered_at):
    """Make the accepted offer of ``lead`` look answered ``took`` after it was made, at ``answered_at``."""
    Assignment.objects.filter(lead=lead, status=A.ACCEPTED).update(
        assigned_at=answered_at - took, responded_at=answered_at
    )


def tell_story(dealer_admin, other_dealer_admin) -> Story:
    hangzhou, guangzhou = dealer_admin.dealer, other_dealer_admin.dealer
    hangzhou.served_regions.set([region("330100")])
    guangzhou.served_regions.set([region("440100")])
    line = ProductLineFactory(code="story-ac", name="空调", name_en="Air conditioning")
    unsold = ProductLineFactory(code="story-boiler", name="锅炉", name_en="Boilers")
    authorize(hangzhou, line)
    authorize(guangzhou, line)
    leads = {
        1: take("web", "330106", line, 1, company="杭州一号", estimated_value=Decimal("2000")),
        2: take("hotline", "330106", line, 2),
        3: take("web", "440100", line, 3),
        4: take("exhibition", "440100", line, 4),
        5: take("web", "330106", unsold, 5),
        6: take("hotline", "330106", line, 6),
    }
    services.leads_assign()
    for n in (1, 2, 6):
        services.assignment_accept(actor=dealer_admin, assignment=offer(leads[n]))
    services.assignment_decline(actor=other_dealer_admin, assignment=offer(leads[3]), reason="不做这个区域")
    now = timezone.now()
    services.assignments_recall_expired(now=now + datetime.timedelta(days=3))
    services.leads_assign()
    services.follow_up_add(actor=dealer_admin, lead=leads[1], kind="call", note="约了上门")
    services.lead_qualify(actor=dealer_admin, lead=leads[1])
    services.lead_mark_won(actor=dealer_admin, lead=leads[1], amount="1000")
    services.lead_mark_lost(actor=dealer_admin, lead=leads[2], reason="买了别家的")
    timed(leads[1], took=2 * HOUR, answered_at=now)
    timed(leads[2], took=4 * HOUR, answered_at=now)
    timed(leads[6], took=9 * HOUR, answered_at=now - datetime.timedelta(days=5))
    assert services.follow_ups_chase(now=now) == {"reminded": 1, "escalated": 1}
    old = take("web", "330106", line, 7)
    Lead.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=400))
    leads[7] = old
    today = timezone.localdate()
    return Story(
        leads=leads, hangzhou=hangzhou, guangzhou=guangzhou, start=today - datetime.timedelta(days=30), end=today
    )


@pytest.fixture
def story(dealer_admin, other_dealer_admin):
    return tell_story(dealer_admin, other_dealer_admin)


def report_for(user, story, **kwargs):
    return reports.lead_report(leads=lead_list(user=user), start=story.start, end=story.end, **kwargs)


def test_the_funnel_counts_each_stage_and_outcome(story, hq_admin):
    report = report_for(hq_admin, story)
    t = report.totals
    assert [(key, n) for key, _label, n in t.stages] == [
        ("received", 6),
        ("assigned", 5),
        ("accepted", 3),
        ("contacted", 1),
        ("qualified", 1),
        ("won", 1),
    ]
    assert (t.lost, t.unassigned, t.won_amount) == (1, 3, Decimal("1000.00"))
    assert (t.accept_rate, t.win_rate, t.conversion) == (Decimal("60.0"), Decimal("33.3"), Decimal("16.7"))


def test_offers_time_to_accept_and_sla_breaches(story, hq_admin):
    offers = report_for(hq_admin, story).offers
    assert (offers.made, offers.accepted, offers.declined, offers.expired) == (5, 3, 1, 1)
    assert (offers.reminded, offers.escalated, offers.breached_leads) == (1, 1, 2)
    assert offers.accept_median == 4 * HOUR and offers.accept_avg == 5 * HOUR
    assert (offers.accept_median_hours, offers.accept_avg_hours) == (Decimal("4.0"), Decimal("5.0"))


def test_breakdowns_by_province_source_and_dealer(story, hq_admin):
    report = report_for(hq_admin, story)
    provinces = [(p.key, p.received, p.assigned, p.accepted, p.won, p.conversion) for p in report.provinces]
    assert provinces == [("330000", 4, 3, 3, 1, Decimal("25.0")), ("440000", 2, 2, 0, 0, Decimal("0.0"))]
    assert report.provinces[0].label == "浙江省"
    sources = {s.key: (s.received, s.accepted, s.won) for s in report.sources}
    assert sources == {"web": (3, 1, 1), "hotline": (2, 2, 0), "exhibition": (1, 0, 0)}
    assert [s.key for s in report.sources] == ["web", "hotline", "exhibition"]
    dealers = [(d.code, d.received, d.accepted, d.won, d.declined, d.expired) for d in report.dealers]
    assert dealers == [(story.hangzhou.code, 3, 3, 1, 0, 0), (story.guangzhou.code, 2, 0, 0, 1, 1)]
    assert (report.dealers[0].accept_rate, report.dealers[0].conversion) == (Decimal("100.0"), Decimal("33.3"))
    assert report.dealers[1].win_rate is None


def test_months_cover_the_period_with_empty_months_included(story, hq_admin):
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    report = reports.lead_report(leads=lead_list(user=hq_admin), start=start, end=today)
    assert [m.label for m in report.months] == [f"{start:%Y-%m}", f"{today:%Y-%m}"]
    assert [(m.received, m.accepted, m.won) for m in report.months] == [(0, 0, 0), (6, 3, 1)]
    chart = report.chart()
    assert chart["months"]["series"]["received"] == [0, 6]
    assert chart["months"]["series"]["conversion"] == [None, 16.7]
    assert [stage["value"] for stage in chart["funnel"]] == [6, 5, 3, 1, 1, 1]


def test_a_month_is_a_month_in_china(hq_admin, dealer_one):
    line = ProductLineFactory(code="tz")
    late = take("web", "330106", line, 1)
    # 31 March 23:30 in Shanghai is still March there, though it is 15:30 UTC.
    moment = datetime.datetime(2026, 3, 31, 15, 30, tzinfo=datetime.UTC)
    Lead.objects.filter(pk=late.pk).update(created_at=moment)
    report = reports.lead_report(
        leads=lead_list(user=hq_admin), start=datetime.date(2026, 3, 1), end=datetime.date(2026, 4, 30)
    )
    assert [(m.label, m.received) for m in report.months] == [("2026-03", 1), ("2026-04", 0)]
    march_only = reports.lead_report(
        leads=lead_list(user=hq_admin), start=datetime.date(2026, 3, 31), end=datetime.date(2026, 3, 31)
    )
    assert march_only.totals.received == 1


def test_one_dealer_counts_only_what_was_offered_to_it(story, hq_admin):
    report = report_for(hq_admin, story, dealer=story.guangzhou)
    assert [n for _key, _label, n in report.totals.stages] == [2, 2, 0, 0, 0, 0]
    assert (report.offers.made, report.offers.declined, report.offers.expired) == (2, 1, 1)
    assert [d.code for d in report.dealers] == [story.guangzhou.code]


def test_a_regional_user_counts_only_their_region(story):
    canton = UserFactory(username="canton", role="hq_staff")
    canton.regions.set([region("440000")])
    report = report_for(canton, story)
    assert (report.totals.received, report.totals.assigned, report.offers.declined) == (2, 2, 1)
    assert [p.key for p in report.provinces] == ["440000"]


def test_no_leads_gives_zeros_and_no_rates(hq_admin):
    today = timezone.localdate()
    report = reports.lead_report(leads=lead_list(user=hq_admin), start=today, end=today)
    assert report.totals.received == 0 and report.totals.conversion is None
    assert report.offers.accept_median is None and report.provinces == [] and report.dealers == []


def test_the_report_costs_five_queries_however_many_leads(story, hq_admin, django_assert_num_queries):
    with django_assert_num_queries(5):
        report_for(hq_admin, story)
