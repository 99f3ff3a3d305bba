"""After a dealer accepts a lead: follow-ups, qualification, won or lost, and the chase when nobody follows up."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from dms.errors import InvalidTransition, PermissionDeniedError, RuleViolation
from dms.events.models import Event
from leads import services
from leads.models import Lead
from tests.factories import region
from tests.factories.orders import ProductLineFactory, authorize

pytestmark = pytest.mark.django_db
L = Lead.Status


@pytest.fixture
def accepted(dealer_admin, hq_admin):
    dealer = dealer_admin.dealer
    dealer.owner = hq_admin
    dealer.save()
    dealer.served_regions.set([region("330100")])
    line = ProductLineFactory(code="ac")
    authorize(dealer, line)
    lead, _created = services.lead_create(
        actor=None, source="web", contact_name="王", phone="13800138000", region=region("330106"), product_line=line
    )
    services.leads_assign()
    services.assignment_accept(actor=dealer_admin, assignment=lead.assignments.get())
    lead.refresh_from_db()
    return lead


def test_the_first_follow_up_marks_the_lead_contacted(accepted, dealer_staff):
    follow_up = services.follow_up_add(
        actor=dealer_staff, lead=accepted, kind="call", note="约了周六上门", next_action_on=timezone.localdate()
    )
    accepted.refresh_from_db()
    assert (accepted.status, follow_up.dealer_id) == (L.CONTACTED, dealer_staff.dealer_id)


def test_only_the_dealer_holding_the_lead_follows_it_up(accepted, other_dealer_admin):
    with pytest.raises(PermissionDeniedError):
        services.follow_up_add(actor=other_dealer_admin, lead=accepted, kind="call")


def test_qualified_then_won_with_the_amount(accepted, dealer_admin):
    services.follow_up_add(actor=dealer_admin, lead=accepted, kind="visit")
    services.lead_qualify(actor=dealer_admin, lead=accepted)
    won = services.lead_mark_won(actor=dealer_admin, lead=accepted, amount="12800")
    assert (won.status, won.won_amount) == (L.WON, Decimal("12800.00"))
    with pytest.raises(InvalidTransition):
        services.lead_mark_lost(actor=dealer_admin, lead=accepted, reason="太贵")


def test_lost_needs_a_reason(accepted, dealer_admin):
    with pytest.raises(RuleViolation):
        services.lead_mark_lost(actor=dealer_admin, lead=accepted, reason=" ")
    lost = services.lead_mark_lost(actor=dealer_admin, lead=accepted, reason="客户选了别家")
    assert (lost.status, lost.lost_reason) == (L.LOST, "客户选了别家")


def test_a_closed_lead_no_longer_counts_against_capacity(accepted, dealer_admin):
    dealer = dealer_admin.dealer
    dealer.lead_capacity = 1
    dealer.save()
    second, _created = services.lead_create(
        actor=None,
        source="web",
        contact_name="李",
        phone="13900139000",
        region=region("330106"),
        product_line=accepted.product_line,
    )
    services.leads_assign()
    second.refresh_from_db()
    assert second.status == L.UNASSIGNED
    services.lead_mark_won(actor=dealer_admin, lead=accepted, amount="100")
    third, _created = services.lead_create(
        actor=None,
        source="web",
        contact_name="赵",
        phone="13700137000",
        region=region("330106"),
        product_line=accepted.product_line,
    )
    services.leads_assign()
    third.refresh_from_db()
    assert third.status == L.ASSIGNED


def test_nobody_following_up_is_chased_once_then_escalated_once(accepted, settings, hq_admin):
    settings.DMS_LEAD_FOLLOW_UP_HOURS = 24
    start = timezone.now()
    assert services.follow_ups_chase() == {"reminded": 0, "escalated": 0}
    with time_machine.travel(start + datetime.timedelta(hours=25)):
        assert services.follow_ups_chase() == {"reminded": 1, "escalated": 0}
        assert services.follow_ups_chase() == {"reminded": 0, "escalated": 0}
    with time_machine.travel(start + datetime.timedelta(hours=49)):
        assert services.follow_ups_chase() == {"reminded": 0, "escalated": 1}
        assert services.follow_ups_chase() == {"reminded": 0, "escalated": 0}
    escalation = Event.objects.get(verb="leads.follow_up_escalated")
    assert escalation.notify == [hq_admin.pk]


def test_a_followed_up_lead_is_not_chased(accepted, dealer_admin, settings):
    settings.DMS_LEAD_FOLLOW_UP_HOURS = 1
    services.follow_up_add(actor=dealer_admin, lead=accepted, kind="note")
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=5)):
        assert services.follow_ups_chase() == {"reminded": 0, "escalated": 0}
