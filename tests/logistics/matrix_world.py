"""Objects of the logistics app that the permission matrix's paths point at: a carrier with a rate card
from the orders world's warehouse, and a vehicle there, made by the HQ administrator; and the shipment that
carries the orders world's shipped order; a delivery plan of the warehouse's day with one (empty) route."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from logistics import services
from logistics.models import ClaimLine, DeliveryClaim, DeliveryPlan, PlanRoute, Shipment

# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def logistics_world(users, warehouse, region, shipped_order) -> dict:
    admin = users["hq_admin"]
    carrier = services.carrier_save(actor=admin, fields={"code": "MX-EXP", "name": "矩阵快运"})
    rate_card = services.rate_card_save(
        actor=admin,
        fields={"carrier": carrier, "origin": warehouse, "destination": region, "per_kg": Decimal("1.20")},
    )
    vehicle = services.vehicle_save(
        actor=admin,
        fields={"warehouse": warehouse, "plate": "浙A·MX001", "capacity_kg": 1500, "capacity_m3": 8},
    )
    shipment = Shipment.objects.get(order=shipped_order)
    shipment.delivery_photo_type = "image/png"
    shipment.delivery_photo.save("note", ContentFile(PNG))
    plan = DeliveryPlan.objects.create(
        warehouse=warehouse, date=timezone.localdate(), status=DeliveryPlan.Status.READY, time_limit_s=1
    )
    now = timezone.now()
    route = PlanRoute.objects.create(
        plan=plan, vehicle=vehicle, starts_at=now, ends_at=now, distance_m=0, load_kg=0, load_m3=0, cost=0
    )
    claim = DeliveryClaim(
        number="CL-MATRIX-0001",
        shipment=shipment,
        order=shipped_order,
        dealer_id=shipment.dealer_id,
        kind=DeliveryClaim.Kind.DAMAGE,
        value=Decimal("10.00"),
        photo_type="image/png",
    )
    claim.photo.save("photo", ContentFile(PNG), save=False)
    claim.save()
    line = shipment.lines.first()
    ClaimLine.objects.create(claim=claim, shipment_line=line, product_id=line.product_id, quantity=1)
    return {
        "claim": claim,
        "carrier": carrier,
        "rate_card": rate_card,
        "vehicle": vehicle,
        "shipment": shipment,
        "delivery_plan": plan,
        "route": route,
    }
