"""Carriers, rate cards and vehicles, and what a carrier charges for a shipment."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dealers.models import Region
from dms.accounts.models import User
from dms.errors import PermissionDeniedError, RuleViolation
from dms.money import ZERO, as_money
from dms.records import assign_fields, validated_save
from logistics import selectors, verbs
from logistics.models import Carrier, RateCard, ReceivingWindow, Vehicle

# What the services let a caller set, in the order the API shows them (its serializers list these).
CARRIER_FIELDS = ("code", "name", "phone", "tracking_url", "volumetric_divisor", "fuel_surcharge_percent", "is_active")
RATE_CARD_FIELDS = (
    "carrier",
    "origin",
    "destination",
    "per_kg",
    "per_m3",
    "minimum_charge",
    "lead_time_days",
    "is_active",
)
RECEIVING_WINDOW_FIELDS = ("dealer", "opens", "closes")
VEHICLE_FIELDS = (
    "warehouse",
    "plate",
    "kind",
    "capacity_kg",
    "capacity_m3",
    "cost_per_km",
    "fixed_cost",
    "shift_start",
    "shift_end",
    "is_active",
)


def _require_manager(actor: User | None) -> None:
    if actor is not None and not selectors.can_manage_fleet(actor):
        raise PermissionDeniedError()


def _save(actor, instance, fields: dict, allowed: tuple[str, ...], *, created: bool):
    _require_manager(actor)
    with transaction.atomic():
        record = assign_fields(instance, fields, allowed)
        validated_save(record, actor=actor, verb=verbs.FLEET_CHANGED.code, created=created)
    return record


def carrier_save(*, actor: User | None, carrier: Carrier | None = None, fields: dict) -> Carrier:
    """Create a carrier (no ``carrier``) or change one."""
    return _save(actor, carrier or Carrier(), fields, CARRIER_FIELDS, created=carrier is None)


def rate_card_save(*, actor: User | None, rate_card: RateCard | None = None, fields: dict) -> RateCard:
    """Create or change what a carrier charges from a warehouse to a province or city."""
    return _save(actor, rate_card or RateCard(), fields, RATE_CARD_FIELDS, created=rate_card is None)


def vehicle_save(*, actor: User | None, vehicle: Vehicle | None = None, fields: dict) -> Vehicle:
    """Create or change a vehicle of a warehouse's fleet."""
    return _save(actor, vehicle or Vehicle(), fields, VEHICLE_FIELDS, created=vehicle is None)


def receiving_window_save(
    *, actor: User | None, window: ReceivingWindow | None = None, fields: dict
) -> ReceivingWindow:
    """Set when a dealer takes deliveries: the default window of its new shipments. For those who ship or
    manage the fleet."""
    if actor is not None and not selectors.can_see_fleet(actor):
        raise PermissionDeniedError()
    with transaction.atomic():
        record = assign_fields(window or ReceivingWindow(), fields, RECEIVING_WINDOW_FIELDS)
        validated_save(record, actor=actor, verb=verbs.FLEET_CHANGED.code, created=window is None)
    return record


@dataclass(frozen=True)
class Quote:
    """A carrier's charge for one shipment, and how it was reached."""

    rate_card: RateCard
    weight_kg: Decimal
    volume_m3: Decimal
    chargeable_kg: Decimal  # the larger of the weight and the volume over the carrier's divisor
    by_weight: Decimal
    by_volume: Decimal
    base: Decimal  # the larger of the two, and at least the card's minimum charge
    fuel_surcharge: Decimal
    total: Decimal

    @property
    def lead_time_days(self) -> int:
        return self.rate_card.lead_time_days


def freight_quote(*, carrier: Carrier, origin_id: int, region: Region, weight_kg, volume_m3) -> Quote:
    """What ``carrier`` charges to carry ``weight_kg`` and ``volume_m3`` from the warehouse to ``region``.

    A shipment is charged by its chargeable weight (its weight, or its volume in cm³ over the carrier's
    volumetric divisor when that is more) at the card's price per kg, or by its volume at the price per
    m³, whichever is more, and never less than the card's minimum; the fuel surcharge is added on top.
    """
    weight, volume = Decimal(weight_kg), Decimal(volume_m3)
    if weight < 0 or volume < 0:
        raise RuleViolation(_("Weight and volume cannot be negative."), code="invalid_quantity")
    card = selectors.rate_card_for(carrier=carrier, origin_id=origin_id, region=region)
    if card is None:
        raise RuleViolation(
            _("%(carrier)s has no rate to %(region)s from this warehouse.")
            % {"carrier": carrier.name, "region": region},
            code="no_rate",
        )
    chargeable = max(weight, volume * 1_000_000 / carrier.volumetric_divisor)
    by_weight = as_money(chargeable * card.per_kg)
    by_volume = as_money(volume * card.per_m3)
    base = max(by_weight, by_volume, card.minimum_charge)
    surcharge = as_money(base * carrier.fuel_surcharge_percent / 100) if carrier.fuel_surcharge_percent else ZERO
    return Quote(
        rate_card=card,
        weight_kg=weight,
        volume_m3=volume,
        chargeable_kg=chargeable.quantize(Decimal("0.001")),
        by_weight=by_weight,
        by_volume=by_volume,
        base=base,
        fuel_surcharge=surcharge,
        total=base + surcharge,
    )
