"""``seed_demo`` as a whole, seeded once: the orders part (a year of trading with the shape the demo
promises, consistent stock and money), the leads part (a year of leads from every channel with
believable outcomes, the rules of the demo regions, deal registrations with a clash, an inbox waiting
for the demo dealer), and nothing new when it runs again.

Seeding takes a while, so the module seeds once inside a transaction that is rolled back at the
end; each test runs in a savepoint within it, and all of them in one pytest-xdist worker, so that the
demo is seeded once per run rather than once per worker.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.test import override_settings
from django.utils import timezone

from dealers.demo import DEMO_DEALER_CODE
from dealers.models import Dealer, DealerApplication
from dms.accounts.models import Role, User
from dms.events.models import Event
from leads import demo as leads_demo
from leads.models import Assignment, AssignmentRule, DealRegistration, Lead, LeadSource
from logistics.models import DeliveryClaim
from orders import demo, selectors, services
from orders.models import (
    DealerAuthorization,
    Invoice,
    Order,
    Payment,
    PriceList,
    Product,
    ProductLine,
    Reservation,
    StockLevel,
    StockMovement,
    Warehouse,
)
from tests.factories import criteria, document_type, region

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]
S = Order.Status
L, A, R = Lead.Status, Assignment.Status, DealRegistration.Status


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        # Transactional tests elsewhere flush what the data migrations loaded.
        region("330100")
        document_type("business_licence")
        criteria()
        call_command("seed_demo", force=True, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def snapshot() -> dict:
    """Everything the orders demo writes, as counts and the stock and order states."""
    models = [
        Dealer,
        DealerApplication,
        ProductLine,
        Product,
        Warehouse,
        PriceList,
        DealerAuthorization,
        Order,
        Invoice,
        Payment,
        StockMovement,
    ]
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "events": Event.objects.filter(verb__regex=r"^(orders|leads)\.").count(),
        "leads": [model.objects.count() for model in (Lead, Assignment, AssignmentRule, DealRegistration, LeadSource)],
        "stock": list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved", "updated_at")),
        "orders": list(Order.objects.order_by("pk").values_list("number", "status", "updated_at")),
        "users": sorted(User.objects.values_list("username", flat=True)),
    }


def test_seeding_again_changes_nothing():
    before = snapshot()
    call_command("seed_demo", force=True, stdout=io.StringIO())
    assert snapshot() == before
    admin = User.objects.get(username="admin")
    assert demo.seed(admin=admin) == ["finance", "orderdesk"]
    assert leads_demo.seed(admin=admin) == []


def test_one_user_per_role_and_the_demo_dealer_trades():
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Dealer.objects.count() >= 60
    assert User.objects.get(username="dealer").dealer.status == Dealer.Status.ACTIVE
    assert User.objects.get(username="admin").is_superuser
    assert not Event.objects.filter(published_at__isnull=True).exists()
    assert Dealer.objects.filter(joined_on__lt=timezone.localdate()).count() > 20


def test_a_believable_catalogue_with_prices_authorisations_and_four_regional_warehouses():
    assert ProductLine.objects.count() == 5
    assert 110 <= Product.objects.count() <= 130
    assert Product.objects.filter(is_active=False).exists()
    assert {p.pack_size for p in Product.objects.all()} >= {1, 2, 4, 6}
    assert not Product.objects.filter(Q(name_en="") | Q(weight_kg=0) | Q(volume_m3=0)).exists()
    provinces = {w.region.path.split("/")[1] for w in Warehouse.objects.select_related("region")}
    assert len(provinces) == 4
    tiers = set(PriceList.objects.filter(kind="tier").values_list("tier", flat=True))
    assert tiers == {"A", "B", "C", "D"}
    assert PriceList.objects.filter(kind="dealer").count() >= 2
    assert DealerAuthorization.objects.filter(regions__isnull=False).exists()
    assert DealerAuthorization.objects.filter(valid_until__lt=timezone.localdate()).exists()
    levels = StockLevel.objects.annotate(free=F("on_hand") - F("reserved"))
    assert levels.filter(free=0).exists() and levels.filter(free__gt=0, free__lte=10).exists()


def test_twelve_months_of_orders_with_every_state_the_order_desk_meets():
    months = Order.objects.annotate(month=TruncMonth("created_at")).values("month").distinct().count()
    assert months == 12
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses >= {S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.SHIPPED, S.DELIVERED, S.COMPLETED}
    assert statuses >= {S.CANCELLED, S.REJECTED}
    pending = Order.objects.filter(status=S.PENDING_APPROVAL)
    reasons = {reason["code"] for order in pending for reason in order.approval_reasons}
    assert reasons >= {"credit_limit", "overdue", "large_order"}
    # Waiting orders are recent: the release task would otherwise hand them back at once.
    assert not services.orders_release_expired()
    assert Order.objects.filter(credit_override=True, status=S.APPROVED).exists()
    dealer_user = User.objects.get(username="dealer")
    assert selectors.current_draft(user=dealer_user) is not None
    assert Order.objects.filter(dealer=dealer_user.dealer, status=S.COMPLETED).count() >= 10


def test_late_payers_in_every_aging_bucket_past_thirty_days():
    positions = [selectors.credit_position(dealer=d) for d in Dealer.objects.filter(invoices__isnull=False).distinct()]
    oldest = sorted(p.oldest_overdue_days for p in positions)
    assert any(30 < days <= 60 for days in oldest)
    assert any(60 < days <= 90 for days in oldest)
    assert any(days > 90 for days in oldest)
    assert Invoice.objects.filter(status=Invoice.Status.PARTIALLY_PAID).exists()
    assert Payment.objects.filter(unallocated_amount__gt=0).exists()
    assert any(p.available < 0 for p in positions)


def test_stock_and_money_add_up():
    active = Reservation.objects.filter(line__order__status__in=[S.APPROVED, S.PENDING_APPROVAL, S.PARTIALLY_SHIPPED])
    assert active.count() == Reservation.objects.count()
    held = {
        (row["warehouse"], row["line__product"]): row["total"]
        for row in Reservation.objects.values("warehouse", "line__product").annotate(total=Sum("quantity"))
    }
    for level in StockLevel.objects.all():
        assert level.reserved == held.get((level.warehouse_id, level.product_id), 0), level
        assert 0 <= level.reserved <= level.on_hand
    invoices = Invoice.objects.annotate(allocated=Sum("allocations__amount"))
    for invoice in invoices:
        assert invoice.paid_amount == (invoice.allocated or 0), invoice
        assert (invoice.status == Invoice.Status.PAID) == (invoice.paid_amount == invoice.gross_amount)
    payments = Payment.objects.annotate(allocated=Sum("allocations__amount"))
    assert all(p.amount == (p.allocated or 0) + p.unallocated_amount for p in payments)
    # One invoice per shipment that left.
    shipped = Order.objects.filter(shipped_at__isnull=False).annotate(
        invoice_count=Count("invoices", distinct=True),
        sent=Count("shipments", filter=~Q(shipments__status__in=["planned", "cancelled"]), distinct=True),
    )
    assert shipped.exists()
    assert not shipped.exclude(invoice_count=F("sent")).exists()
    assert not Order.objects.filter(delivered_at__lt=F("shipped_at")).exists()
    assert not Invoice.objects.filter(paid_on__lt=F("issued_on")).exists()


def test_head_office_people_hold_their_jobs():
    finance = User.objects.get(username="finance")
    desk = User.objects.get(username="orderdesk")
    assert all(services.can(finance, c) for c in ["record_payment", "change_credit_limit", "approve_credit_override"])
    assert all(services.can(desk, c) for c in ["approve_order", "ship_order", "adjust_stock"])
    assert not services.can(desk, "approve_credit_override")
    assert selectors.order_list(user=finance).count() == Order.objects.count()


# The leads part -------------------------------------------------------------------------------


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


def test_recent_deliveries_with_claims_some_decided():
    claims = DeliveryClaim.objects.all()
    assert set(claims.values_list("status", flat=True)) == {"open", "credited", "reshipped", "rejected"}
    credited = claims.get(status="credited")
    assert credited.credit_note.method == Payment.Method.CREDIT_NOTE
    assert credited.credit_note.amount == credited.credit_amount == credited.value
    assert claims.get(status="reshipped").replacements.get().status == "planned"
    assert all(claim.resolution_reason for claim in claims.exclude(status="open"))
