"""The logistics part of the demo: three carriers with rate cards from every demo warehouse to every
mainland province, priced by distance, and a fleet of vans and trucks at each warehouse; and the year's
shipments (made when the orders demo shipped its orders) given the times they happened, the carrier that took
the long-distance ones, and their journeys, some of them late; today's 杭州 deliveries, about sixty stops
planned over the fleet and ready to review and dispatch; and a few claims on recent deliveries."""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Value, When
from django.utils import timezone

from dealers.models import Dealer, Region
from dealers.regions import province_code
from dms.errors import RuleViolation
from dms.events.models import Event
from dms.numbers import next_number
from logistics import routing, services, verbs
from logistics.models import Carrier, DeliveryPlan, Shipment, TrackingEvent, Vehicle
from orders import selectors as order_selectors
from orders import services as orders
from orders.models import Order, ProductLine, Reservation, StockLevel, Warehouse

# Where a carrier's shipment passes on its way: the hub of the origin warehouse's province.
HUBS = {"HZ": "嘉兴转运中心", "GZ": "广州白云分拨中心", "TJ": "天津武清分拨中心", "CD": "成都新都分拨中心"}

# code, name, phone, volumetric divisor, fuel surcharge %, price level (1 = the cheapest)
CARRIERS = [
    (
        "SF-LTL",
        "顺丰快运",
        "95338",
        6000,
        "8",
        "1.25",
    ),
    ("DEPPON", "德邦快递", "95353", 6000, "6", "1.10"),
    ("ANE", "安能物流", "400-104-0088", 5000, "5", "1.00"),
]
# (plate suffix, type, kg, m³, yuan per km, yuan per trip, shift)
FLEET = [
    ("V101", "厢式货车", 1500, "8", "2.80", "150", (time(7, 30), time(18, 30))),
    ("V102", "厢式货车", 1500, "8", "2.80", "150", (time(7, 30), time(18, 30))),
    ("T201", "4.2米货车", 3000, "16", "3.60", "260", (time(7, 0), time(19, 0))),
    ("T202", "4.2米货车", 3000, "16", "3.60", "260", (time(7, 0), time(19, 0))),
    ("T301", "7.6米货车", 8000, "40", "5.20", "420", (time(6, 30), time(19, 30))),
]
PLATE_PREFIX = {"HZ": "浙A", "GZ": "粤A", "TJ": "津A", "CD": "川A"}
MAINLAND = Region.Level.PROVINCE


def seed(*, admin) -> list[str]:
    warehouses = list(Warehouse.objects.filter(code__in=PLATE_PREFIX).select_related("region"))
    if not warehouses or Carrier.objects.exists():
        return []
    _fleet(admin, warehouses)
    _shipment_history()
    _open_shipments(admin)
    _todays_plan(admin)
    _claims(admin)
    return []


def _fleet(admin, warehouses) -> None:
    provinces = [
        r for r in Region.objects.filter(level=MAINLAND).exclude(code__in=["710000", "810000", "820000"]) if r.latitude
    ]
    for code, name, phone, divisor, fuel, level in CARRIERS:
        carrier = services.carrier_save(
            actor=admin,
            fields={
                "code": code,
                "name": name,
                "phone": phone,
                "volumetric_divisor": divisor,
                "fuel_surcharge_percent": Decimal(fuel),
            },
        )
        for warehouse in warehouses:
            origin = routing.Place(float(warehouse.latitude), float(warehouse.longitude))
            for province in provinces:
                km = (
                    routing.haversine_m(origin, routing.Place(float(province.latitude), float(province.longitude)))
                    / 1000
                )
                services.rate_card_save(
                    actor=admin,
                    fields={
                        "carrier": carrier,
                        "origin": warehouse,
                        "destination": province,
                        "per_kg": (Decimal(level) * (Decimal("0.45") + Decimal(km) / 2500)).quantize(Decimal("0.0001")),
                        "per_m3": (Decimal(level) * (110 + Decimal(km) / 6)).quantize(Decimal("1")),
                        "minimum_charge": Decimal(level) * 30,
                        "lead_time_days": 1 + int(km // 700),
                    },
                )
    for warehouse in warehouses:
        if Vehicle.objects.filter(warehouse=warehouse).exists():
            continue
        for suffix, kind, kg, m3, per_km, fixed, (start, end) in FLEET:
            services.vehicle_save(
                actor=admin,
                fields={
                    "warehouse": warehouse,
                    "plate": f"{PLATE_PREFIX[warehouse.code]}·{warehouse.code}{suffix}",
                    "kind": kind,
                    "capacity_kg": kg,
                    "capacity_m3": Decimal(m3),
                    "cost_per_km": Decimal(per_km),
                    "fixed_cost": Decimal(fixed),
                    "shift_start": start,
                    "shift_end": end,
                },
            )


def _shipment_history() -> None:
    """Give the shipments the orders demo made the times of their orders, send those leaving their warehouse's
    province by carrier, and write each one's journey: picked up, through the hub, out for delivery, delivered;
    about one in eight held up on the way and delivered after the day the dealer asked for."""
    rng = random.Random(13)
    today = timezone.localdate()
    carriers = list(Carrier.objects.order_by("code"))
    shipments = list(
        Shipment.objects.select_related("order", "warehouse__region", "ship_to_region").order_by("order_id", "id")
    )
    steps = []
    for shipment in shipments:
        order = shipment.order
        dispatched = order.shipped_at or shipment.dispatched_at
        created = (order.decided_at or order.created_at) + timedelta(minutes=rng.randint(20, 240))
        if dispatched:
            created = min(created, dispatched - timedelta(minutes=30))
        requested = order.requested_delivery_date or (timezone.localdate(created) + timedelta(days=rng.randint(2, 5)))
        changes = {"created_at": created, "requested_date": requested}
        if timezone.localdate(created) != today:
            changes["number"] = next_number("SH", day=timezone.localdate(created))
        far = shipment.ship_to_region and province_code(shipment.ship_to_region.path) != province_code(
            shipment.warehouse.region.path
        )
        if far and carriers:
            carrier = carriers[shipment.pk % len(carriers)]
            changes.update(
                mode=Shipment.Mode.CARRIER,
                carrier=carrier,
                tracking_number=f"{carrier.code[:2]}{rng.randint(10**11, 10**12 - 1)}",
            )
            if shipment.ship_to_region:
                try:
                    quote = services.freight_quote(
                        carrier=carrier,
                        origin_id=shipment.warehouse_id,
                        region=shipment.ship_to_region,
                        weight_kg=shipment.weight_kg,
                        volume_m3=shipment.volume_m3,
                    )
                except RuleViolation:
                    quote = None
                if quote is not None:
                    charge = (quote.total * Decimal(rng.choice(["0.97", "1", "1", "1.02", "1.05"]))).quantize(
                        Decimal("0.01")
                    )
                    changes.update(freight_quote=quote.total, freight_charge=charge if order.delivered_at else None)
        if dispatched:
            changes["dispatched_at"] = dispatched
        late = False
        if order.delivered_at:
            # Delivered when its order was; a late one arrived a day or three after the day asked for.
            arrived = timezone.localdate(order.delivered_at)
            late = rng.random() < 0.125 and arrived > timezone.localdate(created)
            if late:
                changes["requested_date"] = max(
                    timezone.localdate(created), arrived - timedelta(days=rng.randint(1, 3))
                )
            else:
                changes["requested_date"] = max(requested, arrived)
            changes["delivered_at"] = order.delivered_at
        Shipment.objects.filter(pk=shipment.pk).update(**changes)
        shipment.__dict__.update(changes)
        steps += _journey(shipment, rng, late=late)
    TrackingEvent.objects.filter(shipment__in=shipments).delete()
    TrackingEvent.objects.bulk_create(steps, batch_size=2000)
    _backdate_events(shipments)


# What dealers reported of recent deliveries, and head office's decision (None: still open).
CLAIMS = [
    ("shortage", "到货少一箱，司机签收单已注明", "credit", "司机确认少货，按价值冲抵货款"),
    ("damage", "外包装破损，内机外壳凹陷", "reship", "照片属实，补发新机"),
    ("damage", "运输途中受潮，纸箱变形", "reject", "外箱变形不影响产品，签收时未注明异常"),
    ("shortage", "少配件一套", None, ""),
    ("damage", "两台面板划伤", None, ""),
]


def _claims(admin) -> None:
    """A few deliveries of the last weeks came short or damaged: the dealers' claims, some decided."""
    since = timezone.now() - timedelta(days=20)
    shipments = list(
        Shipment.objects.filter(status=Shipment.Status.DELIVERED, delivered_at__gte=since, replaces__isnull=True)
        .select_related("order")
        .order_by("-delivered_at", "id")[: len(CLAIMS)]
    )
    for shipment, (kind, description, resolution, reason) in zip(shipments, CLAIMS, strict=False):
        line = shipment.lines.order_by("id").first()
        if kind == "shortage":
            line.quantity_received = line.quantity - 1
            line.save(update_fields=["quantity_received"])
        claim = services.claim_open(
            actor=admin, shipment=shipment, kind=kind, lines=[(line.product_id, 1)], description=description
        )
        if resolution is not None:
            services.claim_resolve(actor=admin, claim=claim, resolution=resolution, reason=reason)


def _open_shipments(admin) -> None:
    """On the order desk today: an approved order half on its way, and one planned for tomorrow."""
    approved = list(Order.objects.filter(status=Order.Status.APPROVED).order_by("submitted_at", "id")[:2])
    if len(approved) < 2:
        return
    part, whole = approved
    reservation = (
        Reservation.objects.filter(line__order=part).select_related("line", "warehouse").order_by("id").first()
    )
    half = max(reservation.quantity // 2, 1)
    first = services.shipment_create(
        actor=admin, order=part, warehouse=reservation.warehouse, lines=[(reservation.line.product_id, half)]
    )
    services.shipment_dispatch(actor=admin, shipment=first)
    for warehouse in Warehouse.objects.filter(pk__in=Reservation.objects.filter(line__order=whole).values("warehouse")):
        services.shipment_create(
            actor=admin, order=whole, warehouse=warehouse, requested_date=timezone.localdate() + timedelta(days=1)
        )


# Stores the 浙江 dealers deliver to around 杭州: (place, latitude, longitude).
STORES = [
    ("西湖区文三路", 30.2775, 120.1380),
    ("拱墅区莫干山路", 30.3100, 120.1510),
    ("上城区解放路", 30.2500, 120.1800),
    ("滨江区江南大道", 30.2080, 120.2110),
    ("萧山区市心中路", 30.1670, 120.2640),
    ("余杭区临平大道", 30.4200, 120.3000),
    ("余杭区五常大道", 30.2900, 120.0500),
    ("富阳区富春街道", 30.0490, 119.9600),
    ("临安区锦城街道", 30.2340, 119.7240),
    ("钱塘区下沙", 30.3100, 120.3500),
    ("绍兴市越城区", 30.0000, 120.5800),
    ("绍兴市柯桥区", 30.0800, 120.4900),
    ("嘉兴市南湖区", 30.7500, 120.7600),
    ("海宁市海洲街道", 30.5100, 120.6800),
    ("桐乡市梧桐街道", 30.6300, 120.5600),
    ("湖州市吴兴区", 30.8700, 120.0900),
    ("德清县武康街道", 30.5400, 119.9700),
    ("诸暨市暨阳街道", 29.7100, 120.2400),
]
WINDOWS = [(9, 17), (9, 17), (9, 17), (9, 12), (13, 17), (8, 11), (14, 18)]
TODAYS_STOPS = 60
# The demo's plan is solved while seeding, in a few seconds rather than the setting's thirty.
DEMO_PLAN_SECONDS = 5


def _todays_plan(admin) -> None:
    """Today's 杭州 deliveries: about sixty orders of the 浙江 dealers to their stores around 杭州, each planned as
    an own-fleet shipment, and the day's plan worked out, ready for the order desk to review and dispatch."""
    hangzhou = Warehouse.objects.filter(code="HZ").first()
    dealers = list(
        Dealer.objects.filter(region__path__startswith="CN/330000/", status__in=orders.TRADING).order_by("code")
    )
    if hangzhou is None or not dealers:
        return
    rng = random.Random(60)
    today = timezone.localdate()
    levels = {
        level.product_id: level
        for level in StockLevel.objects.filter(warehouse=hangzhou, product__is_active=True).select_related("product")
    }
    made = 0
    for number in range(TODAYS_STOPS):
        dealer = dealers[number % len(dealers)]
        lines = set(
            ProductLine.objects.filter(pk__in=order_selectors.authorized_line_ids(dealer=dealer)).values_list(
                "pk", flat=True
            )
        )
        choices = [
            lvl.product for lvl in levels.values() if lvl.product.product_line_id in lines and lvl.available > 40
        ]
        if not choices:
            continue
        products = rng.sample(choices, k=min(len(choices), rng.randint(1, 3)))
        place, latitude, longitude = STORES[number % len(STORES)]
        draft = orders.order_create(
            actor=admin,
            dealer=dealer,
            lines=[{"product": p, "quantity": p.pack_size * rng.randint(1, 4)} for p in products],
            ship_to_address=f"{place}{rng.randint(1, 399)}号 {dealer.name}门店",
            requested_delivery_date=today,
        )
        order = orders.order_submit(actor=admin, order=draft)
        if order.status == Order.Status.PENDING_APPROVAL:
            order = orders.order_approve(actor=admin, order=order, reason="门店补货，回款计划已确认")
        if (
            order.status != Order.Status.APPROVED
            or not Reservation.objects.filter(line__order=order, warehouse=hangzhou).exists()
        ):
            continue
        opens, closes = rng.choice(WINDOWS)
        shipment = services.shipment_create(
            actor=admin,
            order=order,
            warehouse=hangzhou,
            requested_date=today,
            window_opens=time(opens),
            window_closes=time(closes),
        )
        # Delivered to the store, not to the dealer's office: the store's coordinates.
        Shipment.objects.filter(pk=shipment.pk).update(
            latitude=Decimal(str(latitude + rng.uniform(-0.02, 0.02))).quantize(Decimal("0.000001")),
            longitude=Decimal(str(longitude + rng.uniform(-0.02, 0.02))).quantize(Decimal("0.000001")),
        )
        made += 1
    if not made:
        return
    plan, _created = services.delivery_plan_request(actor=admin, warehouse=hangzhou, date=today)
    DeliveryPlan.objects.filter(pk=plan.pk).update(time_limit_s=DEMO_PLAN_SECONDS)
    services.delivery_plan_solve(plan_id=plan.pk)


def _journey(shipment: Shipment, rng: random.Random, *, late: bool) -> list[TrackingEvent]:
    if not shipment.dispatched_at:
        return []
    start, hub = shipment.dispatched_at, HUBS.get(shipment.warehouse.code, "")
    end = shipment.delivered_at
    steps = [
        TrackingEvent(
            shipment=shipment, status=TrackingEvent.Kind.DISPATCHED, occurred_at=start, location=str(shipment.warehouse)
        )
    ]
    if shipment.mode == Shipment.Mode.CARRIER:
        steps.append(
            TrackingEvent(
                shipment=shipment,
                status=TrackingEvent.Kind.IN_TRANSIT,
                occurred_at=start + timedelta(hours=rng.randint(3, 8)),
                location=hub,
                external_id=f"{shipment.tracking_number}-1",
            )
        )
    if late:
        steps.append(
            TrackingEvent(
                shipment=shipment,
                status=TrackingEvent.Kind.DELAYED,
                occurred_at=start + timedelta(hours=rng.randint(10, 20)),
                location=hub,
                note=rng.choice(["高速封路，改道绕行", "分拨中心爆仓，顺延一天", "车辆故障，已换车"]),
            )
        )
    if end:
        steps.append(
            TrackingEvent(
                shipment=shipment,
                status=TrackingEvent.Kind.OUT_FOR_DELIVERY,
                occurred_at=end - timedelta(hours=rng.randint(1, 3)),
                location=shipment.ship_to_region.name if shipment.ship_to_region else "",
            )
        )
        steps.append(TrackingEvent(shipment=shipment, status=TrackingEvent.Kind.DELIVERED, occurred_at=end))
    return steps


def _backdate_events(shipments: list[Shipment]) -> None:
    """The shipments' events happened when the shipments did."""
    kind = ContentType.objects.get_for_model(Shipment)
    stages = {
        verbs.SHIPMENT_PLANNED.code: "created_at",
        verbs.SHIPMENT_DISPATCHED.code: "dispatched_at",
        verbs.SHIPMENT_DELIVERED.code: "delivered_at",
    }
    for shipment in shipments:
        times = [
            When(verb=verb, then=Value(getattr(shipment, column)))
            for verb, column in stages.items()
            if getattr(shipment, column)
        ]
        Event.objects.filter(target_type=kind, target_id=str(shipment.pk)).update(
            target_repr=shipment.number, created_at=Case(*times, default="created_at")
        )
