"""A delivery day in a real browser: the order desk plans 杭州's day, moves a stop to the other van and
dispatches; the driver records the delivery on a phone-width page with the phone's position; the dealer sees
the shipment delivered in the portal and reports a shortage found on unpacking; head office finds the claim in
its queue and credits the dealer's account."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from logistics import services
from logistics.models import DeliveryClaim, DeliveryPlan, PlanStop, Shipment
from orders import services as orders
from orders.models import Payment
from tests.factories import DealerFactory
from tests.factories.orders import authorize, credit, grant
from tests.platform.conftest import PHONE, screenshots, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

shot = screenshots("delivery")


@pytest.fixture
def tomorrow(shop, desk, dealer_admin, hq_admin):
    """Four own-fleet shipments from 杭州 for tomorrow, dealer 1's among them, and two vans of 150 kg."""
    desk.user_permissions.add(Permission.objects.get(codename="resolve_claim"))
    grant(desk, "ship_order")
    main = shop.main
    main.latitude, main.longitude = Decimal("30.25"), Decimal("120.17")
    main.save()
    shop.kettle.weight_kg, shop.kettle.volume_m3 = Decimal("10"), Decimal("0.05")
    shop.kettle.save()
    date = timezone.localdate() + datetime.timedelta(days=1)
    dealer = dealer_admin.dealer
    dealer.latitude, dealer.longitude = Decimal("30.29"), Decimal("120.16")
    dealer.save()
    dealers = [dealer]
    for lat, lon in ((30.21, 120.21), (30.32, 120.10), (30.27, 120.26)):
        other = DealerFactory(latitude=lat, longitude=lon)
        authorize(other, shop.line)
        credit(other, "100000.00", warehouse=main)
        dealers.append(other)
    for each in dealers:
        draft = orders.order_create(actor=hq_admin, dealer=each, lines=[{"product": shop.kettle, "quantity": 4}])
        order = orders.order_submit(actor=hq_admin, order=draft)
        services.shipment_create(actor=desk, order=order, warehouse=main, requested_date=date)
    for plate in ("浙A·V1", "浙A·V2"):
        services.vehicle_save(
            actor=hq_admin,
            fields={"warehouse": main, "plate": plate, "capacity_kg": 150, "capacity_m3": 5, "fixed_cost": 100},
        )
    return date


def test_a_day_planned_dispatched_delivered_and_a_shortage_credited(
    make_page, live_server, shop, desk, dealer_admin, tomorrow, settings
):
    settings.DMS_ROUTING_SECONDS = 1
    page = make_page()
    sign_in(page, live_server, desk)
    page.goto(f"{live_server.url}/hq/logistics/plans/")
    form = page.get_by_test_id("plan-request")
    form.locator("select[name=warehouse]").select_option(str(shop.main.pk))
    form.locator("input[name=date]").fill(tomorrow.isoformat())
    form.get_by_test_id("plan-day").click()
    expect(page.get_by_test_id("route")).to_have_count(2)
    plan = DeliveryPlan.objects.get()
    shot(page, "plan")

    stop = PlanStop.objects.filter(plan=plan).select_related("route").first()
    row = page.locator(f'[data-testid="stop"][data-shipment="{stop.shipment_id}"]')
    row.get_by_test_id("move-stop").click()
    expect(page.get_by_test_id("locked")).to_have_count(2)
    assert PlanStop.objects.get(plan=plan, shipment_id=stop.shipment_id).route_id != stop.route_id

    page.get_by_test_id("dispatch-plan").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("dispatch-plan")).to_have_count(0)
    assert not Shipment.objects.filter(status=Shipment.Status.PLANNED).exists()

    ours = Shipment.objects.get(dealer=dealer_admin.dealer)
    route = PlanStop.objects.get(shipment=ours).route
    driver = make_page(
        viewport=PHONE, permissions=["geolocation"], geolocation={"latitude": 30.2901, "longitude": 120.1602}
    )
    sign_in(driver, live_server, desk)
    driver.goto(f"{live_server.url}/hq/logistics/routes/{route.pk}/driver/")
    card = driver.get_by_test_id("driver-stop").filter(has_text=dealer_admin.dealer.name)
    card.locator('input[name="received_by"]').fill("王店长")
    shot(driver, "driver-phone")
    card.get_by_test_id("record-stop").click()
    expect(driver.get_by_test_id("driver-progress")).to_contain_text("1")
    ours.refresh_from_db()
    assert ours.status == Shipment.Status.DELIVERED and ours.received_by == "王店长"
    assert ours.delivery_latitude == Decimal("30.290100")

    dealer = make_page(viewport=PHONE)
    sign_in(dealer, live_server, dealer_admin)
    dealer.goto(f"{live_server.url}/portal/orders/{ours.order_id}/")
    card = dealer.get_by_test_id("portal-shipment")
    expect(card.get_by_test_id("shipment-status")).to_have_attribute("data-status", "delivered")
    card.locator("summary").click()
    form = card.get_by_test_id("claim-form")
    form.locator("select[name=kind]").select_option("shortage")
    form.locator("input[name^=claimed_]").fill("1")
    form.locator("textarea[name=description]").fill("开箱少一台")
    shot(dealer, "claim-phone")
    form.get_by_test_id("open-claim").click()
    expect(dealer.locator(".alert-success")).to_be_visible()
    claim = DeliveryClaim.objects.get()
    assert (claim.kind, claim.value, claim.status) == ("shortage", Decimal("100.00"), "open")

    page.goto(f"{live_server.url}/hq/logistics/claims/")
    page.get_by_test_id("claim").filter(has_text=claim.number).locator("a").first.click()
    page.locator("input[name=resolution][value=credit]").check()
    page.locator("textarea[name=reason]").fill("司机签收单无异常，按开箱照片赔付")
    shot(page, "claim")
    page.get_by_test_id("resolve").click()
    expect(page.get_by_test_id("decision")).to_contain_text("¥100.00")
    claim.refresh_from_db()
    assert claim.status == "credited"
    assert Payment.objects.get(method=Payment.Method.CREDIT_NOTE).amount == Decimal("100.00")

    dealer.reload()
    expect(dealer.get_by_test_id("claim")).to_contain_text("司机签收单无异常")
