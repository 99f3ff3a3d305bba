"""The orders app's small shop, an order desk that may ship, and a day of deliveries around 杭州."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from logistics import services
from orders import services as orders
from tests.factories import DealerFactory
from tests.factories.orders import ProductFactory, authorize, credit, stock


@pytest.fixture
def approved(shop, dealer_admin, dealer_one):
    """``approved(*(product, quantity))``: an order of dealer 1, submitted and approved at once (its stock
    reserved in 杭州 first, then 上海)."""

    def make(*lines):
        draft = orders.order_create(
            actor=dealer_admin,
            dealer=dealer_one,
            lines=[{"product": product, "quantity": quantity} for product, quantity in lines],
        )
        return orders.order_submit(actor=dealer_admin, order=draft)

    return make


# Dealers around 杭州 (lat, lon) and the hours they take deliveries.
PLACES = [
    (30.29, 120.16, (9, 12)),
    (30.32, 120.10, (9, 17)),
    (30.21, 120.21, (13, 17)),
    (30.27, 120.26, (9, 17)),
    (30.18, 120.12, (9, 11)),
    (30.36, 120.19, (14, 17)),
    (30.24, 120.05, (9, 17)),
    (30.30, 120.30, (9, 17)),
]


@pytest.fixture
def day(shop, desk, hq_admin, settings):
    """Eight own-fleet shipments of 40 kg each from 杭州 for tomorrow, one without coordinates and one of
    1,200 kg; two vans of 200 kg and a truck of 250 kg."""
    settings.DMS_ROUTING_SECONDS = 1
    main = shop.main
    main.latitude, main.longitude = Decimal("30.25"), Decimal("120.17")
    main.save()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    heavy = ProductFactory(sku="H-1", product_line=shop.line, base_price="10.00", weight_kg=Decimal("1200"))
    shop.kettle.weight_kg, shop.kettle.volume_m3 = Decimal("10"), Decimal("0.05")
    shop.kettle.save()
    stock(heavy, main, 5)
    shipments = []
    for lat, lon, (opens, closes) in [*PLACES, (None, None, (9, 17)), (30.26, 120.18, (9, 17))]:
        dealer = DealerFactory(latitude=lat, longitude=lon)
        authorize(dealer, shop.line)
        credit(dealer, "1000000.00", warehouse=main)
        product = heavy if lat == 30.26 else shop.kettle
        draft = orders.order_create(
            actor=hq_admin, dealer=dealer, lines=[{"product": product, "quantity": 1 if product == heavy else 4}]
        )
        order = orders.order_submit(actor=hq_admin, order=draft)
        shipments.append(
            services.shipment_create(
                actor=desk,
                order=order,
                warehouse=main,
                requested_date=tomorrow,
                window_opens=datetime.time(opens),
                window_closes=datetime.time(closes),
            )
        )
    for plate, kg in (("浙A·V1", 200), ("浙A·V2", 200), ("浙A·T1", 250)):
        services.vehicle_save(
            actor=hq_admin,
            fields={
                "warehouse": main,
                "plate": plate,
                "capacity_kg": kg,
                "capacity_m3": 10,
                "cost_per_km": Decimal("3"),
                "fixed_cost": Decimal("100"),
            },
        )
    return tomorrow, shipments
