"""The leads part of ``seed_demo``: a year of leads from every channel with believable outcomes, the
rules of the demo regions, deal registrations with a clash, and an inbox waiting for the demo dealer.

Seeding takes a while, so the module seeds once inside a transaction that is rolled back at the end.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import timezone

from dealers.demo import DEMO_DEALER_CODE
from dms.accounts.models import User
from dms.events.models import Event
from leads import demo
from leads.models import Assignment, AssignmentRule, DealRegistration, Lead, LeadSource
from tests.factories import criteria, document_type, region

pytestmark = pytest.mark.django_db
L, A, R = Lead.Status, Assignment.Status, DealRegistration.Status


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        region("330100")
        document_type("business_licence")
        criteria()
        call_command("seed_demo", force=True, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_a_year_of_leads_from_every_channel():
    leads = Lead.objects.all()
    assert leads.count() >= 2_000
    now = timezone.now()
    oldest = leads.order_by("created_at").first().created_at
    assert now - timedelta(days=370) < oldest < now - timedelta(days=330)
    months = {timezone.localtime(at).strftime("%Y-%m") for at in leads.values_list("created_at", flat=True)}
    assert len(months) >= 12
    assert set(leads.values_list("source", flat=True)) >= {"web", "hotline", "exhibition", "campaign", "referral"}
    statuses = dict(leads.values_list("status").annotate(n=Count("id")))
    for status in (L.ASSIGNED, L.ACCEPTED, L.CONTACTED, L.QUALIFIED, L.WON, L.LOST, L.UNASSIGNED):
        assert statuses.get(status), f"no demo lead is {status}"
    assert statuses[L.WON] > statuses[L.QUALIFIED]
    assert not statuses.get(L.NEW), "every lead was routed"
    assert leads.filter(touches__gt=1).exists(), "some customers asked twice"


def test_assignments_tell_a_consistent_story():
    assignments = Assignment.objects.all()
    assert {A.ACCEPTED, A.DECLINED, A.EXPIRED, A.OFFERED} <= set(assignments.values_list("status", flat=True))
    doubled = assignments.filter(status__in=Assignment.OPEN).values("lead").annotate(n=Count("id")).filter(n__gt=1)
    assert not doubled.exists()
    assert not assignments.filter(assigned_at__lt=F("lead__created_at")).exists()
    assert not assignments.filter(status=A.ACCEPTED, responded_at__gt=F("deadline")).exists()
    assert not assignments.filter(status=A.EXPIRED, responded_at__lt=F("deadline")).exists()
    routed = assignments.filter(assigned_by__isnull=True).exclude(decision={})
    assert routed.filter(decision__candidates__0__score__isnull=False).exists(), "decisions keep their scores"
    assert assignments.filter(reminded_at__isnull=False).exists() and assignments.filter(escalated_at__isnull=False)
    # Events are dated with what they record.
    accepted = assignments.filter(status=A.ACCEPTED).select_related("lead").first()
    event = Event.objects.get(verb="leads.lead_accepted", target_id=str(accepted.lead_id))
    assert abs(event.created_at - accepted.responded_at) < timedelta(seconds=1)


def test_rules_for_the_demo_regions_and_sources():
    rules = AssignmentRule.objects.filter(is_active=True)
    assert set(rules.values_list("strategy", flat=True)) == {"weighted", "round_robin", "manual"}
    assert set(rules.values_list("region__code", flat=True)) == {"330000", "440000", "320000", "510000"}
    assert Lead.objects.filter(unassigned_reason=Lead.UnassignedReason.MANUAL_RULE).exists()
    assert Lead.objects.filter(unassigned_reason=Lead.UnassignedReason.NO_CANDIDATE).exists()
    assert LeadSource.objects.filter(is_active=True).count() == 2


def test_registrations_with_a_clash():
    registrations = DealRegistration.objects.all()
    assert {R.SUBMITTED, R.APPROVED, R.REJECTED, R.EXPIRED} <= set(registrations.values_list("status", flat=True))
    clashing = registrations.exclude(clashes=[]).filter(status=R.SUBMITTED)
    assert clashing.exists()
    clash = clashing.first()
    others = [c for c in clash.clashes if c["kind"] == "registration"]
    assert others and all(c["dealer"] != clash.dealer_id for c in others)
    assert registrations.filter(status=R.APPROVED, protected_until__gt=timezone.localdate()).exists()


def test_the_demo_dealer_has_leads_waiting_and_a_history():
    waiting = Assignment.objects.filter(dealer__code=DEMO_DEALER_CODE, status=A.OFFERED, deadline__gt=timezone.now())
    assert waiting.count() >= 3
    history = Lead.objects.filter(assignments__dealer__code=DEMO_DEALER_CODE, assignments__status=A.ACCEPTED)
    assert history.filter(status=L.WON).exists() and history.filter(status=L.LOST).exists()
    assert history.filter(Q(status=L.CONTACTED) | Q(status=L.QUALIFIED)).exists()


def test_seeding_again_changes_nothing():
    counts = {model: model.objects.count() for model in (Lead, Assignment, AssignmentRule, DealRegistration)}
    users = User.objects.count()
    call_command("seed_demo", force=True, stdout=io.StringIO())
    assert {model: model.objects.count() for model in counts} == counts
    assert User.objects.count() == users
    assert demo.seed(admin=User.objects.get(username="admin")) == []
