"""Carriers, rate cards and vehicles: who may change them at each door, what a carrier charges for a
shipment, and the pages the order desk reads them on."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from dms.accounts.models import User
from dms.errors import PermissionDeniedError, RuleViolation
from dms.events.models import Event
from logistics import services
from logistics.models import Vehicle
from tests.factories import region
from tests.factories.orders import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="HZ1", region=region("330100"))


@pytest.fixture
def carrier(hq_admin, warehouse):
    """¥1.20 a kg or ¥260 a m³, at least ¥50, 8% fuel; a dearer card for 杭州 than for the rest of 浙江."""
    carrier = services.carrier_save(
        actor=hq_admin,
        fields={"code": "SF-LTL", "name": "顺丰快运", "volumetric_divisor": 6000, "fuel_surcharge_percent": "8"},
    )
    for destination, per_kg, per_m3, minimum, days in [
        ("330000", "1.20", "260", "50", 2),
        ("330100", "0.80", "180", "30", 1),
    ]:
        services.rate_card_save(
            actor=hq_admin,
            fields={
                "carrier": carrier,
                "origin": warehouse,
                "destination": region(destination),
                "per_kg": Decimal(per_kg),
                "per_m3": Decimal(per_m3),
                "minimum_charge": Decimal(minimum),
                "lead_time_days": days,
            },
        )
    return carrier


def quote(carrier, warehouse, code, kg, m3):
    return services.freight_quote(
        carrier=carrier, origin_id=warehouse.pk, region=region(code), weight_kg=kg, volume_m3=m3
    )


def test_a_heavy_shipment_is_charged_by_weight_with_the_fuel_surcharge(carrier, warehouse):
    q = quote(carrier, warehouse, "330200", "500", "0.5")  # 宁波: the province's card
    assert (q.rate_card.destination.code, q.by_weight, q.by_volume) == ("330000", Decimal("600.00"), Decimal("130.00"))
    assert (q.base, q.fuel_surcharge, q.total, q.lead_time_days) == (
        Decimal("600.00"),
        Decimal("48.00"),
        Decimal("648.00"),
        2,
    )


def test_a_light_bulky_shipment_is_charged_by_its_volume(carrier, warehouse):
    # 60 kg in 3 m³: 3,000,000 cm³ / 6,000 = 500 chargeable kg.
    q = quote(carrier, warehouse, "330200", "60", "3")
    assert q.chargeable_kg == Decimal("500.000")
    assert (q.by_weight, q.by_volume, q.base) == (Decimal("600.00"), Decimal("780.00"), Decimal("780.00"))


def test_a_small_parcel_pays_the_minimum_and_the_city_card_wins_over_the_province(carrier, warehouse):
    q = quote(carrier, warehouse, "330106", "5", "0.01")  # 西湖区 of 杭州
    assert (q.rate_card.destination.code, q.base, q.total) == ("330100", Decimal("30.00"), Decimal("32.40"))


def test_no_card_for_the_destination_is_a_clear_refusal(carrier, warehouse):
    with pytest.raises(RuleViolation) as refused:
        quote(carrier, warehouse, "440100", "10", "0.1")
    assert refused.value.code == "no_rate"


def test_only_who_manages_the_fleet_changes_it(hq_staff, sales_rep, warehouse):
    fields = {"warehouse": warehouse, "plate": "浙A·12345", "capacity_kg": 1500, "capacity_m3": 8}
    for user in (hq_staff, sales_rep):
        with pytest.raises(PermissionDeniedError):
            services.vehicle_save(actor=user, fields=fields)
    hq_staff.groups.add(Group.objects.get(name="logistics"))
    vehicle = services.vehicle_save(actor=User.objects.get(pk=hq_staff.pk), fields=fields)
    assert Event.objects.filter(verb="logistics.fleet_changed", target_id=vehicle.pk).count() == 1


def test_a_shift_that_ends_before_it_starts_is_refused_and_nothing_is_written(hq_admin, warehouse):
    with pytest.raises(RuleViolation):
        services.vehicle_save(
            actor=hq_admin,
            fields={
                "warehouse": warehouse,
                "plate": "浙A·00001",
                "capacity_kg": 1500,
                "capacity_m3": 8,
                "shift_start": "18:00",
                "shift_end": "08:00",
            },
        )
    assert not Vehicle.objects.exists()


def test_the_api_prices_a_shipment_and_lists_the_fleet(api_as, hq_admin, carrier, warehouse):
    api = api_as(hq_admin)
    answer = api.get(
        f"/api/v1/carriers/{carrier.pk}/quote/",
        {"warehouse": "HZ1", "region": "330200", "weight_kg": "500", "volume_m3": "0.5"},
    )
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["total"], answer.json()["destination"]) == ("648.00", "330000")

    created = api.post(
        "/api/v1/vehicles/",
        {"warehouse": "HZ1", "plate": "浙A·D1234", "kind": "4.2 m truck", "capacity_kg": "3000", "capacity_m3": "16"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    listed = api.get("/api/v1/vehicles/", {"warehouse": "HZ1"}).json()
    assert [v["plate"] for v in listed["results"]] == ["浙A·D1234"]

    missing = api.get(
        f"/api/v1/carriers/{carrier.pk}/quote/",
        {"warehouse": "HZ1", "region": "440100", "weight_kg": "1", "volume_m3": "0"},
    )
    assert (missing.status_code, missing.json()["code"]) == (422, "no_rate")


def test_a_duplicate_plate_is_a_conflict_not_a_server_error(api_as, hq_admin, warehouse):
    api = api_as(hq_admin)
    body = {"warehouse": "HZ1", "plate": "浙A·D1234", "capacity_kg": "3000", "capacity_m3": "16"}
    assert api.post("/api/v1/vehicles/", body, format="json").status_code == 201
    again = api.post("/api/v1/vehicles/", body, format="json")
    assert again.status_code == 400 and "plate" in again.json()["fields"]


def test_the_order_desk_reads_carriers_and_prices_a_shipment_on_the_page(client_as, hq_admin, carrier, warehouse):
    client = client_as(hq_admin)
    page = client.get("/hq/logistics/carriers/")
    assert page.status_code == 200 and "顺丰快运" in page.content.decode()

    detail = client.get(
        f"/hq/logistics/carriers/{carrier.pk}/",
        {"warehouse": warehouse.pk, "region": "330200", "weight_kg": "500", "volume_m3": "0.5"},
    )
    assert 'data-testid="quote-total">¥648.00<' in detail.content.decode()

    refused = client.get(
        f"/hq/logistics/carriers/{carrier.pk}/",
        {"warehouse": warehouse.pk, "region": "440100", "weight_kg": "1", "volume_m3": "0"},
    )
    assert refused.status_code == 200 and 'data-testid="quote"' not in refused.content.decode()


def test_the_vehicle_list_costs_the_same_queries_for_few_and_many(
    client_as, hq_admin, warehouse, django_assert_max_num_queries
):
    for n in range(3):
        services.vehicle_save(
            actor=hq_admin,
            fields={"warehouse": warehouse, "plate": f"浙A·V{n:04d}", "capacity_kg": 1500, "capacity_m3": 8},
        )
    client = client_as(hq_admin)
    client.get("/hq/logistics/vehicles/")
    with django_assert_max_num_queries(12) as few:
        client.get("/hq/logistics/vehicles/")
    for n in range(3, 30):
        services.vehicle_save(
            actor=hq_admin,
            fields={"warehouse": warehouse, "plate": f"浙A·V{n:04d}", "capacity_kg": 1500, "capacity_m3": 8},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/hq/logistics/vehicles/")
    assert page.content.decode().count('data-testid="vehicle"') == 25


def test_carriers_are_not_for_dealers(client_as, api_as, dealer_admin, carrier):
    assert client_as(dealer_admin).get("/hq/logistics/carriers/").status_code == 403
    assert api_as(dealer_admin).get("/api/v1/carriers/").status_code == 403
