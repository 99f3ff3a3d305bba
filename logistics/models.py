"""Carriers with their rate cards, the warehouses' own vehicles, and shipments with their tracking."""

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.money import ZERO, money_field
from dms.validators import validate_code


class Carrier(models.Model):
    """A logistics company that carries shipments the warehouses' own vehicles do not."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    tracking_url = models.CharField(
        _("tracking address"),
        max_length=300,
        blank=True,
        help_text=_("The carrier's tracking page with {number} where the tracking number goes."),
    )
    volumetric_divisor = models.PositiveIntegerField(
        _("volumetric divisor"),
        default=6000,
        validators=[MinValueValidator(1)],
        help_text=_("Cubic centimetres per chargeable kilogram: a light, bulky shipment is charged by volume."),
    )
    fuel_surcharge_percent = models.DecimalField(
        _("fuel surcharge (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        permissions = [("manage_fleet", _("Can manage carriers, rate cards and vehicles"))]
        constraints = [
            models.CheckConstraint(condition=Q(volumetric_divisor__gte=1), name="carrier_divisor_positive"),
            models.CheckConstraint(
                condition=Q(fuel_surcharge_percent__gte=0, fuel_surcharge_percent__lte=100),
                name="carrier_fuel_surcharge_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RateCard(models.Model):
    """What a carrier charges from one warehouse to a province or a city. The most specific card for a
    destination applies: a city's card before its province's."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="rate_cards", verbose_name=_("carrier"))
    origin = models.ForeignKey(
        "orders.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("origin warehouse")
    )
    destination = models.ForeignKey(
        "dealers.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("destination")
    )
    per_kg = models.DecimalField(
        _("price per kg"), max_digits=10, decimal_places=4, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    per_m3 = money_field(_("price per m³"), default=ZERO, validators=[MinValueValidator(ZERO)])
    minimum_charge = money_field(_("minimum charge"), default=ZERO, validators=[MinValueValidator(ZERO)])
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["carrier", "origin", "destination__path"]
        verbose_name = _("rate card")
        verbose_name_plural = _("rate cards")
        constraints = [
            models.UniqueConstraint(fields=["carrier", "origin", "destination"], name="rate_card_unique"),
            models.CheckConstraint(
                condition=Q(per_kg__gte=0, per_m3__gte=0, minimum_charge__gte=0), name="rate_card_prices_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier.code}: {self.origin.code} → {self.destination.name}"


class Vehicle(models.Model):
    """A vehicle of a warehouse's own fleet, as the delivery planner sees it."""

    warehouse = models.ForeignKey(
        "orders.Warehouse", on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("warehouse")
    )
    plate = models.CharField(_("plate"), max_length=16, unique=True)
    kind = models.CharField(_("type"), max_length=40, blank=True, help_text=_("For example: van, 4.2 m truck."))
    capacity_kg = models.DecimalField(
        _("capacity (kg)"), max_digits=9, decimal_places=1, validators=[MinValueValidator(Decimal("1"))]
    )
    capacity_m3 = models.DecimalField(
        _("capacity (m³)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.1"))]
    )
    cost_per_km = money_field(_("cost per km"), default=ZERO, validators=[MinValueValidator(ZERO)])
    fixed_cost = money_field(_("fixed cost per trip"), default=ZERO, validators=[MinValueValidator(ZERO)])
    shift_start = models.TimeField(_("shift starts"), default=time(8, 0))
    shift_end = models.TimeField(_("shift ends"), default=time(18, 0))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse", "plate"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.CheckConstraint(condition=Q(capacity_kg__gt=0, capacity_m3__gt=0), name="vehicle_capacity_positive"),
            models.CheckConstraint(
                condition=Q(cost_per_km__gte=0, fixed_cost__gte=0), name="vehicle_costs_not_negative"
            ),
            models.CheckConstraint(condition=Q(shift_end__gt=F("shift_start")), name="vehicle_shift_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.kind}".strip()


class ReceivingWindow(models.Model):
    """When a dealer takes deliveries: the default window of its shipments (each shipment may change its own)."""

    dealer = models.OneToOneField(
        "dealers.Dealer", on_delete=models.CASCADE, related_name="receiving_window", verbose_name=_("dealer")
    )
    opens = models.TimeField(_("receiving opens"), default=time(9, 0))
    closes = models.TimeField(_("receiving closes"), default=time(17, 0))

    class Meta:
        verbose_name = _("receiving window")
        verbose_name_plural = _("receiving windows")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="receiving_window_closes_after_opens"),
        ]

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


class Shipment(models.Model):
    """Goods of one order leaving one warehouse together: the whole order, or the part shipped now."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_TRANSIT = "in_transit", _("in transit")
        DELIVERED = "delivered", _("delivered")
        EXCEPTION = "exception", _("exception")
        CANCELLED = "cancelled", _("cancelled")

    class Mode(models.TextChoices):
        OWN_FLEET = "own_fleet", _("own fleet")
        CARRIER = "carrier", _("carrier")
        PICKUP = "pickup", _("pickup by the dealer")

    number = models.CharField(_("shipment number"), max_length=24, unique=True, editable=False)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    dealer = models.ForeignKey(
        "dealers.Dealer", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("dealer")
    )
    warehouse = models.ForeignKey(
        "orders.Warehouse", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("warehouse")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.OWN_FLEET)
    carrier = models.ForeignKey(
        Carrier, on_delete=models.PROTECT, null=True, blank=True, related_name="shipments", verbose_name=_("carrier")
    )
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    ship_to_address = models.CharField(_("ship-to address"), max_length=300, blank=True)
    ship_to_region = models.ForeignKey(
        "dealers.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    requested_date = models.DateField(_("requested date"))
    window_opens = models.TimeField(_("receiving opens"))
    window_closes = models.TimeField(_("receiving closes"))
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=3, default=ZERO)
    volume_m3 = models.DecimalField(_("volume (m³)"), max_digits=12, decimal_places=4, default=ZERO)
    freight_quote = money_field(_("freight quote"), null=True, blank=True)
    freight_charge = money_field(_("freight charged"), null=True, blank=True)
    invoice = models.OneToOneField(
        "orders.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shipment",
        verbose_name=_("invoice"),
    )
    replaces = models.ForeignKey(
        "DeliveryClaim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacements",
        verbose_name=_("replacement for claim"),
        help_text=_("Goods sent again free of charge for a delivery claim: not invoiced, not part of the order."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    received_by = models.CharField(_("received by"), max_length=100, blank=True)
    delivery_note = models.CharField(_("delivery note"), max_length=1000, blank=True)
    delivery_latitude = models.DecimalField(
        _("latitude at delivery"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    delivery_longitude = models.DecimalField(
        _("longitude at delivery"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    delivery_photo = models.FileField(
        _("photo of the signed delivery note"), upload_to="delivery-notes/%Y/%m/", max_length=200, blank=True
    )
    delivery_photo_type = models.CharField(pgettext_lazy("file", "content type"), max_length=50, blank=True)
    delivery_photo_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    delivery_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivery recorded by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [
            # The shipments list newest first; a dealer's, and a warehouse's day (the delivery planner).
            models.Index(fields=["-created_at", "-id"], name="shipment_created_idx"),
            models.Index(fields=["dealer", "-created_at", "-id"], name="shipment_dealer_created_idx"),
            models.Index(fields=["warehouse", "status", "requested_date"], name="shipment_warehouse_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(window_closes__gt=F("window_opens")), name="shipment_window_order"),
            models.CheckConstraint(condition=Q(weight_kg__gte=0, volume_m3__gte=0), name="shipment_size_not_negative"),
            models.CheckConstraint(
                condition=Q(mode="carrier") | Q(carrier__isnull=True), name="shipment_carrier_only_by_carrier"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def tracking_link(self) -> str:
        if self.carrier_id and self.carrier.tracking_url and self.tracking_number:
            return self.carrier.tracking_url.replace("{number}", self.tracking_number)
        return ""


class ShipmentLine(models.Model):
    """A product and quantity of a shipment, and what the dealer received of it."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("shipment"))
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines", verbose_name=_("order line")
    )
    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    quantity_received = models.PositiveIntegerField(_("received"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_one_per_order_line"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="shipment_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_received__isnull=True) | Q(quantity_received__lte=F("quantity")),
                name="shipment_line_received_not_more",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment.number} · {self.product.sku} × {self.quantity}"

    @property
    def shortage(self) -> int:
        return 0 if self.quantity_received is None else self.quantity - self.quantity_received


class TrackingEvent(models.Model):
    """A step of a shipment's journey, from the carrier's system, the driver's phone or this system. Placed by
    when it happened, not when it arrived."""

    class Kind(models.TextChoices):
        DISPATCHED = "dispatched", _("dispatched")
        IN_TRANSIT = "in_transit", _("in transit")
        DELAYED = "delayed", _("delayed")
        OUT_FOR_DELIVERY = "out_for_delivery", _("out for delivery")
        DELIVERED = "delivered", _("delivered")
        EXCEPTION = "exception", _("exception")

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="tracking", verbose_name=_("shipment")
    )
    status = models.CharField(_("status"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("happened"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        indexes = [models.Index(fields=["shipment", "occurred_at", "id"], name="tracking_shipment_time_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "external_id"], condition=~Q(external_id=""), name="tracking_external_id_once"
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90))
                & (Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
                name="tracking_coordinates_on_earth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment.number} · {self.get_status_display()}"


class DeliveryPlan(models.Model):
    """A warehouse's own-fleet deliveries of one day, routed over its vehicles by the solver in the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SOLVING = "solving", _("solving")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")
        DISPATCHED = "dispatched", _("dispatched")

    warehouse = models.ForeignKey(
        "orders.Warehouse", on_delete=models.PROTECT, related_name="delivery_plans", verbose_name=_("warehouse")
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    time_limit_s = models.PositiveIntegerField(_("time limit (s)"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    distance_m = models.PositiveIntegerField(_("distance (m)"), default=0)
    cost = money_field(_("cost"), default=ZERO)
    naive_distance_m = models.PositiveIntegerField(_("naive distance (m)"), default=0)
    naive_cost = money_field(_("naive cost"), default=ZERO)
    # Shipments the plan could not take: [{"shipment": id, "reason": one of routing.REASONS}].
    unplanned = models.JSONField(_("unplanned"), default=list, blank=True)

    class Meta:
        ordering = ["-date", "warehouse"]
        verbose_name = _("delivery plan")
        verbose_name_plural = _("delivery plans")
        constraints = [models.UniqueConstraint(fields=["warehouse", "date"], name="delivery_plan_one_per_day")]
        indexes = [models.Index(fields=["-date", "warehouse"], name="delivery_plan_date_idx")]

    def __str__(self) -> str:
        return f"{self.warehouse.code} {self.date:%Y-%m-%d}"

    @property
    def saving_percent(self) -> Decimal | None:
        """How much shorter the plan is than the naive one, in per cent."""
        if not self.naive_distance_m:
            return None
        return (Decimal(100) * (self.naive_distance_m - self.distance_m) / self.naive_distance_m).quantize(
            Decimal("0.1")
        )


class PlanRoute(models.Model):
    """One vehicle's trip of a plan: its stops in order, from the warehouse and back."""

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="routes", verbose_name=_("plan"))
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="+", verbose_name=_("vehicle"))
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Kept as it is when the rest of the plan is optimised again.")
    )
    starts_at = models.DateTimeField(_("leaves"))
    ends_at = models.DateTimeField(_("back"))
    distance_m = models.PositiveIntegerField(_("distance (m)"))
    load_kg = models.DecimalField(_("load (kg)"), max_digits=12, decimal_places=3)
    load_m3 = models.DecimalField(_("load (m³)"), max_digits=12, decimal_places=4)
    cost = money_field(_("cost"))

    class Meta:
        ordering = ["plan", "vehicle__plate"]
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        constraints = [models.UniqueConstraint(fields=["plan", "vehicle"], name="plan_route_one_per_vehicle")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.vehicle.plate}"


class PlanStop(models.Model):
    """A shipment on a route, with when the vehicle is planned to start unloading."""

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="stops", verbose_name=_("plan"))
    route = models.ForeignKey(PlanRoute, on_delete=models.CASCADE, related_name="stops", verbose_name=_("route"))
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="plan_stops", verbose_name=_("shipment")
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    arrival = models.DateTimeField(_("arrival"))

    class Meta:
        ordering = ["route", "sequence"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        constraints = [
            models.UniqueConstraint(fields=["plan", "shipment"], name="plan_stop_shipment_once"),
            models.UniqueConstraint(fields=["route", "sequence"], name="plan_stop_sequence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.route} #{self.sequence}"


def claim_photo_path(claim, filename: str) -> str:
    # The stored name never reuses the uploaded one: it is only shown, never trusted.
    import uuid

    return f"delivery-claims/{claim.dealer_id}/{uuid.uuid4().hex}"


class DeliveryClaim(models.Model):
    """Goods missing or damaged on arrival (到货异常): opened by the receipt that came short or by the dealer,
    resolved by head office with a re-shipment or a credit note, or rejected, always with a reason."""

    class Kind(models.TextChoices):
        SHORTAGE = "shortage", _("shortage")
        DAMAGE = "damage", _("damage")

    class Resolution(models.TextChoices):
        RESHIP = "reship", _("Re-ship the goods")
        CREDIT = "credit", _("Credit the dealer's account")
        REJECT = "reject", _("Reject the claim")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("claim", "open")
        RESHIPPED = "reshipped", _("re-shipped")
        CREDITED = "credited", _("credited")
        REJECTED = "rejected", pgettext_lazy("claim", "rejected")

    number = models.CharField(_("claim number"), max_length=24, unique=True, editable=False)
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="claims", verbose_name=_("shipment"))
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order"))
    dealer = models.ForeignKey(
        "dealers.Dealer", on_delete=models.PROTECT, related_name="delivery_claims", verbose_name=_("dealer")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    photo = models.FileField(_("photo"), upload_to=claim_photo_path, max_length=200, blank=True)
    photo_type = models.CharField(pgettext_lazy("file", "content type"), max_length=50, blank=True)
    photo_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    value = money_field(_("value of the goods"), help_text=_("What the claimed goods cost the dealer, VAT included."))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution_reason = models.CharField(_("reason"), max_length=500, blank=True)
    credit_amount = money_field(_("credited"), null=True, blank=True)
    credit_note = models.OneToOneField(
        "orders.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery_claim",
        verbose_name=_("credit note"),
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("delivery claim")
        verbose_name_plural = _("delivery claims")
        indexes = [
            # The claims newest first, of one status (the queue), and a dealer's.
            models.Index(fields=["-opened_at", "-id"], name="claim_opened_idx"),
            models.Index(fields=["status", "opened_at", "id"], name="claim_status_opened_idx"),
            models.Index(fields=["dealer", "-opened_at", "-id"], name="claim_dealer_opened_idx"),
        ]
        permissions = [("resolve_claim", _("Can resolve delivery claims"))]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="claim_value_not_negative"),
            models.CheckConstraint(
                condition=Q(credit_amount__isnull=True) | Q(credit_amount__gt=0, credit_amount__lte=F("value")),
                name="claim_credit_within_value",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ClaimLine(models.Model):
    """A product of the shipment and how many of it are missing or damaged."""

    claim = models.ForeignKey(DeliveryClaim, on_delete=models.CASCADE, related_name="lines", verbose_name=_("claim"))
    shipment_line = models.ForeignKey(
        ShipmentLine, on_delete=models.PROTECT, related_name="claim_lines", verbose_name=_("shipment line")
    )
    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["id"]
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")
        constraints = [
            models.UniqueConstraint(fields=["claim", "shipment_line"], name="claim_line_once_per_shipment_line"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="claim_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.claim.number} · {self.product.sku} × {self.quantity}"
