"""Delivery claims: a receipt that comes short opens one by itself; a dealer reports damage with a photo within the
claim window; head office re-ships (free stock leaves at dispatch, no invoice, the order's quantities untouched),
credits the dealer's account (a credit note that pays its open invoices and shows on its statement), or rejects,
always with a reason. Every door: services, HQ pages, the portal, the API."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dms.errors import InvalidTransition, PermissionDeniedError, RuleViolation
from dms.events.models import Event
from logistics import services
from logistics.models import DeliveryClaim, Shipment
from logistics.services.claims import NotDelivered
from orders.models import Invoice, Order, Payment
from orders.services import InsufficientStock, payment_record, stock_adjust
from tests.factories.orders import levels

pytestmark = pytest.mark.django_db
C = DeliveryClaim.Status


@pytest.fixture
def resolver(desk):
    desk.user_permissions.add(Permission.objects.get(content_type__app_label="logistics", codename="resolve_claim"))
    for cache in ("_perm_cache", "_user_perm_cache"):
        desk.__dict__.pop(cache, None)
    return desk


@pytest.fixture
def delivered(shop, desk, dealer_admin, approved):
    """An order of 10 kettles (¥100 each) and 4 ovens (¥1,000 each), shipped from 杭州 and received with 2 ovens
    missing."""
    order = approved((shop.kettle, 10), (shop.oven, 4))
    shipment = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    services.shipment_deliver(actor=dealer_admin, shipment=shipment, received={shop.oven.pk: 2}, note="少两台")
    shipment.refresh_from_db()
    return shipment


def _photo(name="damage.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_short_receipt_opens_a_shortage_claim_worth_the_missing_goods(shop, delivered):
    claim = DeliveryClaim.objects.get(shipment=delivered)
    assert (claim.kind, claim.status, claim.value, claim.number[:3]) == ("shortage", C.OPEN, Decimal("2000.00"), "CL-")
    assert [(line.product.sku, line.quantity) for line in claim.lines.all()] == [("K-200", 2)]
    assert claim.description == "少两台"
    opened = Event.objects.get(verb="logistics.claim_opened", target_id=str(claim.pk))
    assert opened.data["lines"] == [{"sku": "K-200", "quantity": 2}]
    assert Event.objects.get(verb="logistics.shipment_delivered").data["claim"] == claim.number


def test_a_full_receipt_opens_no_claim(shop, desk, dealer_admin, approved):
    order = approved((shop.kettle, 5))
    shipment = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    services.shipment_deliver(actor=dealer_admin, shipment=shipment)
    assert not DeliveryClaim.objects.exists()


def test_a_dealer_reports_damage_up_to_what_shipped_and_within_the_window(shop, delivered, dealer_admin, settings):
    claim = services.claim_open(
        actor=dealer_admin,
        shipment=delivered,
        kind="damage",
        lines=[(shop.kettle, 3)],
        description="外箱压坏",
        photo=_photo(),
    )
    assert (claim.kind, claim.value, len(claim.photo_sha256), claim.photo_type) == (
        "damage",
        Decimal("300.00"),
        64,
        "image/jpeg",
    )
    with pytest.raises(RuleViolation) as refused:
        services.claim_open(
            actor=dealer_admin, shipment=delivered, kind="damage", lines=[(shop.kettle, 8)], description="again"
        )
    assert refused.value.code == "invalid_claim_lines"
    assert refused.value.data["lines"][0]["left"] == 7  # 10 shipped, 3 already claimed damaged
    with pytest.raises(RuleViolation) as refused:
        services.claim_open(
            actor=dealer_admin, shipment=delivered, kind="shortage", lines=[(shop.oven, 3)], description="more"
        )
    assert refused.value.data["lines"][0]["left"] == 2  # 4 shipped, the 2 missing at delivery claimed already
    found = services.claim_open(
        actor=dealer_admin, shipment=delivered, kind="shortage", lines=[(shop.oven, 2)], description="开箱少两台"
    )
    assert found.value == Decimal("2000.00")  # a shortage found on unpacking, after the receipt
    with pytest.raises(RuleViolation) as refused:
        services.claim_open(
            actor=dealer_admin, shipment=delivered, kind="damage", lines=[(shop.kettle, 1)], description=""
        )
    assert refused.value.code == "description_required"

    later = timezone.now() + datetime.timedelta(days=settings.DMS_CLAIM_WINDOW_DAYS, hours=1)
    with time_machine.travel(later, tick=False), pytest.raises(RuleViolation) as refused:
        services.claim_open(
            actor=dealer_admin, shipment=delivered, kind="damage", lines=[(shop.kettle, 1)], description="late"
        )
    assert refused.value.code == "claim_window_closed"


def test_a_claim_is_only_on_a_delivered_shipment_of_ones_own(shop, desk, approved, dealer_admin, other_dealer_admin):
    order = approved((shop.kettle, 5))
    shipment = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    with pytest.raises(NotDelivered) as refused:
        services.claim_open(
            actor=dealer_admin, shipment=shipment, kind="damage", lines=[(shop.kettle, 1)], description="x"
        )
    assert refused.value.code == "not_delivered"
    with pytest.raises(PermissionDeniedError):
        services.claim_open(
            actor=other_dealer_admin, shipment=shipment, kind="damage", lines=[(shop.kettle, 1)], description="x"
        )


def test_a_credit_note_pays_the_dealers_open_invoices_and_shows_on_the_statement(shop, delivered, resolver):
    claim = DeliveryClaim.objects.get(shipment=delivered)
    with pytest.raises(RuleViolation) as refused:
        services.claim_resolve(actor=resolver, claim=claim, resolution="credit", reason="属实", amount="2000.01")
    assert refused.value.code == "invalid_amount"
    with pytest.raises(RuleViolation):
        services.claim_resolve(actor=resolver, claim=claim, resolution="credit", reason="", amount="100")

    done = services.claim_resolve(actor=resolver, claim=claim, resolution="credit", reason="司机确认少货")
    assert (done.status, done.credit_amount) == (C.CREDITED, Decimal("2000.00"))
    note = done.credit_note
    assert (note.method, note.reference, note.amount, note.unallocated_amount) == (
        Payment.Method.CREDIT_NOTE,
        claim.number,
        Decimal("2000.00"),
        Decimal("0.00"),
    )
    invoice = Invoice.objects.get(order=delivered.order)
    assert (invoice.paid_amount, invoice.status) == (Decimal("2000.00"), Invoice.Status.PARTIALLY_PAID)
    with pytest.raises(InvalidTransition):
        services.claim_resolve(actor=resolver, claim=claim, resolution="reject", reason="again")
    resolved = Event.objects.get(verb="logistics.claim_resolved", target_id=str(claim.pk))
    assert resolved.data == {"resolution": "credit", "reason": "司机确认少货", "amount": "2000.00"}


def test_a_replacement_leaves_free_stock_without_an_invoice_and_is_not_part_of_the_order(
    shop, delivered, resolver, dealer_admin
):
    order = delivered.order
    claim = DeliveryClaim.objects.get(shipment=delivered)
    before = levels(shop.oven)["HZ"]
    done = services.claim_resolve(actor=resolver, claim=claim, resolution="reship", reason="补发")
    replacement = done.replacements.get()
    assert (replacement.status, replacement.mode, replacement.replaces_id) == (
        Shipment.Status.PLANNED,
        "own_fleet",
        claim.pk,
    )
    assert [(line.product.sku, line.quantity) for line in replacement.lines.all()] == [("K-200", 2)]
    # Planning the order again finds nothing: the replacement is not the order's.
    assert services.left_to_plan(order=order, warehouse_id=shop.main.pk) == {}

    services.shipment_dispatch(actor=resolver, shipment=replacement)
    replacement.refresh_from_db()
    assert (replacement.status, replacement.invoice) == (Shipment.Status.IN_TRANSIT, None)
    on_hand, reserved = before
    assert levels(shop.oven)["HZ"] == (on_hand - 2, reserved)
    assert Invoice.objects.filter(order=order).count() == 1
    services.shipment_deliver(actor=dealer_admin, shipment=replacement)
    order.refresh_from_db()
    assert order.status in (Order.Status.DELIVERED, Order.Status.COMPLETED)


def test_a_credit_note_that_settles_the_last_invoice_completes_the_order(
    shop, desk, dealer_admin, approved, resolver, hq_admin
):
    order = approved((shop.kettle, 2))
    shipment = services.shipment_create(actor=desk, order=order, warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    services.shipment_deliver(actor=dealer_admin, shipment=shipment, received={shop.kettle.pk: 1})
    payment_record(
        actor=hq_admin, dealer=order.dealer, amount="100.00", received_on=timezone.localdate(), reference="BT-1"
    )
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED  # ¥100 of ¥200 paid
    services.claim_resolve(actor=resolver, claim=DeliveryClaim.objects.get(), resolution="credit", reason="少一台")
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_a_replacement_cancelled_before_it_leaves_reopens_its_claim(shop, delivered, resolver):
    claim = DeliveryClaim.objects.get(shipment=delivered)
    replacement = services.claim_resolve(
        actor=resolver, claim=claim, resolution="reship", reason="补发"
    ).replacements.get()
    services.shipment_cancel(actor=resolver, shipment=replacement, reason="改为退款")
    claim.refresh_from_db()
    assert (claim.status, claim.resolution_reason) == (C.OPEN, "")
    reopened = Event.objects.get(verb="logistics.claim_reopened", target_id=str(claim.pk))
    assert reopened.data == {"shipment": replacement.number, "reason": "改为退款"}
    assert services.claim_resolve(actor=resolver, claim=claim, resolution="credit", reason="退款").status == C.CREDITED


def test_a_replacement_needs_free_stock_at_dispatch(shop, delivered, resolver, hq_admin):
    claim = DeliveryClaim.objects.get(shipment=delivered)
    replacement = services.claim_resolve(
        actor=resolver, claim=claim, resolution="reship", reason="补发"
    ).replacements.get()
    on_hand, reserved = levels(shop.oven)["HZ"]
    stock_adjust(actor=hq_admin, warehouse=shop.main, product=shop.oven, delta=-(on_hand - reserved), reason="盘亏")
    with pytest.raises(InsufficientStock) as refused:
        services.shipment_dispatch(actor=resolver, shipment=replacement)
    assert refused.value.code == "insufficient_stock"
    replacement.refresh_from_db()
    assert replacement.status == Shipment.Status.PLANNED


def test_only_the_order_desk_with_the_permission_decides(shop, delivered, desk, dealer_admin):
    claim = DeliveryClaim.objects.get(shipment=delivered)
    for actor in (desk, dealer_admin):
        with pytest.raises(PermissionDeniedError):
            services.claim_resolve(actor=actor, claim=claim, resolution="reject", reason="不属实")


def test_head_office_decides_on_the_claim_page(client, shop, delivered, resolver):
    claim = DeliveryClaim.objects.get(shipment=delivered)
    client.force_login(resolver)
    queue = client.get(reverse("logistics:claims"), {"status": "open"})
    assert claim.number in queue.content.decode()
    page = client.get(reverse("logistics:claim_detail", args=[claim.pk]))
    assert page.status_code == 200 and 'data-testid="resolve-form"' in page.content.decode()

    refused = client.post(
        reverse("logistics:claim_resolve", args=[claim.pk]),
        {"resolution": "credit", "reason": "ok", "amount": "5000"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 422
    assert "at most the value of the goods" in refused.content.decode()
    claim.refresh_from_db()
    assert claim.status == C.OPEN

    done = client.post(
        reverse("logistics:claim_resolve", args=[claim.pk]), {"resolution": "reject", "reason": "签收单无异常"}
    )
    assert done.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.resolution_reason) == (C.REJECTED, "签收单无异常")


def test_the_dealer_reports_damage_in_the_portal_and_reads_the_decision(
    client, shop, delivered, dealer_admin, resolver
):
    client.force_login(dealer_admin)
    order_page = reverse("portal:order_detail", args=[delivered.order_id])
    assert 'data-testid="claim-form"' in client.get(order_page).content.decode()
    data = {
        "kind": "damage",
        f"claimed_{delivered.lines.get(product=shop.kettle).pk}": "1",
        "description": "划痕",
        "photo": _photo(),
    }
    answer = client.post(reverse("portal:shipment_claim", args=[delivered.pk]), data)
    assert answer.status_code == 302
    claim = DeliveryClaim.objects.get(kind="damage")
    photo = client.get(reverse("portal:claim_photo", args=[claim.pk]))
    assert (photo.status_code, photo["Content-Type"]) == (200, "image/jpeg")

    services.claim_resolve(actor=resolver, claim=claim, resolution="credit", reason="同意赔付", amount="80")
    page = client.get(order_page).content.decode()
    assert "同意赔付" in page and "80.00" in page


def test_another_dealer_sees_no_claim_and_no_photo(client, shop, delivered, dealer_admin, other_dealer_admin):
    claim = services.claim_open(
        actor=dealer_admin, shipment=delivered, kind="damage", lines=[(shop.kettle, 1)], description="x", photo=_photo()
    )
    client.force_login(other_dealer_admin)
    assert client.get(reverse("portal:claim_photo", args=[claim.pk])).status_code == 404
    assert client.post(reverse("portal:shipment_claim", args=[delivered.pk]), {"kind": "damage"}).status_code == 404


def test_the_api_opens_lists_and_decides_claims(api_as, shop, delivered, dealer_admin, resolver, other_dealer_admin):
    dealer = api_as(dealer_admin)
    kettle_line = {"product": shop.kettle.pk, "quantity": 2}
    created = dealer.post(
        "/api/v1/delivery-claims/",
        {"shipment": delivered.pk, "kind": "damage", "lines": [kettle_line], "description": "破损"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (created.data["kind"], created.data["value"], created.data["status"]) == ("damage", "200.00", "open")
    too_many = dealer.post(
        "/api/v1/delivery-claims/",
        {
            "shipment": delivered.pk,
            "kind": "damage",
            "lines": [{"product": shop.kettle.pk, "quantity": 9}],
            "description": "x",
        },
        format="json",
    )
    assert (too_many.status_code, too_many.data["code"]) == (422, "invalid_claim_lines")
    assert (
        dealer.post(
            f"/api/v1/delivery-claims/{created.data['id']}/resolve/",
            {"resolution": "reject", "reason": "x"},
            format="json",
        ).status_code
        == 403
    )
    assert dealer.get("/api/v1/delivery-claims/").data["count"] == 2

    other = api_as(other_dealer_admin)
    assert other.get("/api/v1/delivery-claims/").data["count"] == 0
    assert (
        other.post(
            "/api/v1/delivery-claims/",
            {"shipment": delivered.pk, "kind": "damage", "lines": [kettle_line], "description": "x"},
            format="json",
        ).status_code
        == 404
    )

    desk = api_as(resolver)
    decided = desk.post(
        f"/api/v1/delivery-claims/{created.data['id']}/resolve/",
        {"resolution": "reship", "reason": "补发"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.data["status"] == "reshipped" and len(decided.data["replacements"]) == 1
    bad = desk.post(
        f"/api/v1/delivery-claims/{created.data['id']}/resolve/", {"resolution": "maybe", "reason": "x"}, format="json"
    )
    assert bad.status_code == 400


def test_a_signed_delivery_note_is_kept_with_the_receipt_and_read_only_in_scope(
    client, shop, desk, approved, dealer_admin, other_dealer_admin
):
    shipment = services.shipment_create(actor=desk, order=approved((shop.kettle, 2)), warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    client.force_login(dealer_admin)
    line = shipment.lines.get()
    answer = client.post(
        reverse("portal:shipment_receive", args=[shipment.pk]),
        {f"received_{line.pk}": "2", "received_by": "王店长", "photo": _photo("note.jpg")},
    )
    assert answer.status_code == 302
    shipment.refresh_from_db()
    assert (shipment.status, shipment.delivery_photo_type, len(shipment.delivery_photo_sha256)) == (
        "delivered",
        "image/jpeg",
        64,
    )
    note = client.get(reverse("portal:shipment_photo", args=[shipment.pk]))
    assert (note.status_code, note["Content-Type"], note["X-Content-Type-Options"]) == (200, "image/jpeg", "nosniff")
    client.force_login(other_dealer_admin)
    assert client.get(reverse("portal:shipment_photo", args=[shipment.pk])).status_code == 404
    client.force_login(desk)
    assert client.get(reverse("logistics:shipment_photo", args=[shipment.pk])).status_code == 200


def test_a_delivery_note_that_is_not_an_image_is_refused_and_nothing_is_recorded(shop, desk, approved):
    shipment = services.shipment_create(actor=desk, order=approved((shop.kettle, 2)), warehouse=shop.main)
    services.shipment_dispatch(actor=desk, shipment=shipment)
    fake = SimpleUploadedFile("note.jpg", b"MZ not an image", content_type="image/jpeg")
    with pytest.raises(RuleViolation) as refused:
        services.shipment_deliver(actor=desk, shipment=shipment, photo=fake)
    assert refused.value.code == "file_type_not_allowed"
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"
