"""API for carriers (with a freight quote), rate cards and vehicles, for head office; and for shipments, their
tracking and their delivery, for head office, carriers' systems and the dealers receiving them."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dealers.models import Region
from dms.api.fields import MAX_ID
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.scoping import in_scope_or_404
from dms.api.viewsets import ScopedViewSet
from dms.errors import PermissionDeniedError
from dms.views import EVERYONE, HQ
from logistics import selectors, services
from logistics.filters import CarrierFilterSet, RateCardFilterSet, ShipmentFilterSet, VehicleFilterSet
from logistics.models import (
    Carrier,
    DeliveryPlan,
    PlanRoute,
    PlanStop,
    RateCard,
    Shipment,
    ShipmentLine,
    TrackingEvent,
    Vehicle,
)
from orders.models import Warehouse
from orders.selectors import orders_in_scope
from orders.services import MAX_QUANTITY


class CarrierSerializer(serializers.ModelSerializer):
    rate_card_count = serializers.IntegerField(read_only=True, help_text=_("Active rate cards."))

    class Meta:
        model = Carrier
        fields = ["id", *services.CARRIER_FIELDS, "rate_card_count"]
        read_only_fields = ["id"]
        extra_kwargs = {"volumetric_divisor": {"min_value": 1, "max_value": 1_000_000}}


class RateCardSerializer(serializers.ModelSerializer):
    carrier = serializers.SlugRelatedField(slug_field="code", queryset=Carrier.objects.all())
    origin = serializers.SlugRelatedField(slug_field="code", queryset=Warehouse.objects.all())
    destination = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())

    class Meta:
        model = RateCard
        fields = ["id", *services.RATE_CARD_FIELDS]
        read_only_fields = ["id"]
        extra_kwargs = {
            "per_kg": {"min_value": Decimal("0")},
            "per_m3": {"min_value": Decimal("0")},
            "minimum_charge": {"min_value": Decimal("0")},
            "lead_time_days": {"max_value": 365},
        }


class VehicleSerializer(serializers.ModelSerializer):
    warehouse = serializers.SlugRelatedField(slug_field="code", queryset=Warehouse.objects.all())

    class Meta:
        model = Vehicle
        fields = ["id", *services.VEHICLE_FIELDS]
        read_only_fields = ["id"]
        extra_kwargs = {
            "capacity_kg": {"min_value": Decimal("1")},
            "capacity_m3": {"min_value": Decimal("0.1")},
            "cost_per_km": {"min_value": Decimal("0")},
            "fixed_cost": {"min_value": Decimal("0")},
        }


class QuoteQuerySerializer(serializers.Serializer):
    warehouse = serializers.SlugRelatedField(
        slug_field="code", queryset=Warehouse.objects.all(), help_text=_("Origin warehouse code.")
    )
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), help_text=_("Destination region code.")
    )
    weight_kg = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0"))
    volume_m3 = serializers.DecimalField(max_digits=10, decimal_places=4, min_value=Decimal("0"))


class QuoteSerializer(serializers.Serializer):
    carrier = serializers.CharField()
    rate_card = serializers.IntegerField()
    destination = serializers.CharField(help_text=_("The region of the rate card that applies."))
    chargeable_kg = serializers.DecimalField(max_digits=14, decimal_places=3)
    by_weight = serializers.DecimalField(max_digits=14, decimal_places=2)
    by_volume = serializers.DecimalField(max_digits=14, decimal_places=2)
    base = serializers.DecimalField(max_digits=14, decimal_places=2)
    fuel_surcharge = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    lead_time_days = serializers.IntegerField()


class _SetupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Create and change through ``save`` (a service taking ``actor``, the record and ``fields``)."""

    abstract = True
    allowed_roles = HQ
    save = None
    record_name = ""

    def _answer(self, record, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data, status=code)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = type(self).save(actor=request.user, fields=serializer.validated_data)
        return self._answer(record, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        record = type(self).save(actor=request.user, **{self.record_name: instance}, fields=serializer.validated_data)
        return self._answer(record)


class CarrierViewSet(_SetupViewSet):
    """Carriers; ``quote`` prices a shipment with the carrier's rate cards."""

    selector = selectors.carrier_list
    serializer_class = CarrierSerializer
    filterset_class = CarrierFilterSet
    save = staticmethod(services.carrier_save)
    record_name = "carrier"

    @extend_schema(parameters=[QuoteQuerySerializer], responses={200: QuoteSerializer})
    @action(detail=True, methods=["get"])
    def quote(self, request, pk=None):
        carrier = self.get_object()
        query = QuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        quote = services.freight_quote(
            carrier=carrier,
            origin_id=data["warehouse"].pk,
            region=data["region"],
            weight_kg=data["weight_kg"],
            volume_m3=data["volume_m3"],
        )
        return Response(
            QuoteSerializer(
                {
                    "carrier": carrier.code,
                    "rate_card": quote.rate_card.pk,
                    "destination": quote.rate_card.destination.code,
                    "chargeable_kg": quote.chargeable_kg,
                    "by_weight": quote.by_weight,
                    "by_volume": quote.by_volume,
                    "base": quote.base,
                    "fuel_surcharge": quote.fuel_surcharge,
                    "total": quote.total,
                    "lead_time_days": quote.lead_time_days,
                }
            ).data
        )


class RateCardViewSet(_SetupViewSet):
    """What each carrier charges from a warehouse to a province or city."""

    selector = selectors.rate_card_list
    serializer_class = RateCardSerializer
    filterset_class = RateCardFilterSet
    save = staticmethod(services.rate_card_save)
    record_name = "rate_card"


class VehicleViewSet(_SetupViewSet):
    """The warehouses' own vehicles, as the delivery planner uses them."""

    selector = selectors.vehicle_list
    serializer_class = VehicleSerializer
    filterset_class = VehicleFilterSet
    save = staticmethod(services.vehicle_save)
    record_name = "vehicle"


LATITUDE = {"max_digits": 9, "decimal_places": 6, "min_value": Decimal("-90"), "max_value": Decimal("90")}
LONGITUDE = {"max_digits": 9, "decimal_places": 6, "min_value": Decimal("-180"), "max_value": Decimal("180")}


class ShipmentLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.local_name", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = ["id", "order_line", "product", "sku", "product_name", "quantity", "quantity_received"]
        read_only_fields = fields


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = [
            "id",
            "status",
            "occurred_at",
            "recorded_at",
            "location",
            "latitude",
            "longitude",
            "note",
            "external_id",
        ]
        read_only_fields = ["id", "recorded_at"]
        extra_kwargs = {
            "latitude": {"min_value": Decimal("-90"), "max_value": Decimal("90")},
            "longitude": {"min_value": Decimal("-180"), "max_value": Decimal("180")},
            "status": {"help_text": _("in_transit, delayed, out_for_delivery, delivered or exception.")},
            "external_id": {"help_text": _("The sender's id of this event: the same id again is recorded once.")},
        }


class ShipmentSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    warehouse = serializers.SlugRelatedField(slug_field="code", read_only=True)
    carrier = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    ship_to_region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    invoice_number = serializers.CharField(source="invoice.number", read_only=True, allow_null=True, default=None)
    tracking_link = serializers.CharField(read_only=True)
    lines = ShipmentLineSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "dealer",
            "dealer_code",
            "warehouse",
            "status",
            "mode",
            "carrier",
            "tracking_number",
            "tracking_link",
            "ship_to_address",
            "ship_to_region",
            "latitude",
            "longitude",
            "requested_date",
            "window_opens",
            "window_closes",
            "weight_kg",
            "volume_m3",
            "freight_quote",
            "freight_charge",
            "invoice",
            "invoice_number",
            "note",
            "created_at",
            "dispatched_at",
            "delivered_at",
            "cancelled_at",
            "received_by",
            "delivery_note",
            "lines",
        ]
        read_only_fields = fields


class ShipmentLineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class ShipmentCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    warehouse = serializers.SlugRelatedField(slug_field="code", queryset=Warehouse.objects.all())
    lines = ShipmentLineInputSerializer(
        many=True,
        required=False,
        max_length=200,
        help_text=_("What to ship; without lines, everything the order holds in the warehouse and has not planned."),
    )
    mode = serializers.ChoiceField(choices=Shipment.Mode.choices, default=Shipment.Mode.OWN_FLEET)
    carrier = serializers.SlugRelatedField(
        slug_field="code", queryset=Carrier.objects.all(), required=False, allow_null=True
    )
    tracking_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    requested_date = serializers.DateField(required=False, allow_null=True)
    window_opens = serializers.TimeField(required=False, allow_null=True)
    window_closes = serializers.TimeField(required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReceivedLineSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity_received = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY)


class ShipmentDeliverSerializer(serializers.Serializer):
    lines = ReceivedLineSerializer(
        many=True,
        required=False,
        max_length=200,
        help_text=_("What arrived of each product; a product left out arrived in full."),
    )
    received_by = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    latitude = serializers.DecimalField(required=False, allow_null=True, **LATITUDE)
    longitude = serializers.DecimalField(required=False, allow_null=True, **LONGITUDE)


class ShipmentReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Shipments of the orders in your scope. The order desk plans, dispatches and cancels them; a carrier's
    system or a driver adds tracking events; the dealer (or the desk, or the driver) records delivery."""

    selector = selectors.shipment_list
    allowed_roles = EVERYONE
    action_roles = {"create": HQ, "dispatch_shipment": HQ, "cancel": HQ}
    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilterSet

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return super().get_queryset()
        return selectors.shipments_in_scope(user=self.request.user)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _answer(self, shipment, code=status.HTTP_200_OK):
        shipment = selectors.shipment_list(user=self.request.user).get(pk=shipment.pk)
        return Response(ShipmentSerializer(shipment).data, status=code)

    @extend_schema(
        request=ShipmentCreateSerializer, responses={201: ShipmentSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def create(self, request):
        serializer = ShipmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        order = in_scope_or_404(orders_in_scope(user=request.user).filter(pk=data.pop("order")).first())
        lines = data.pop("lines", None)
        shipment = services.shipment_create(
            actor=request.user,
            order=order,
            lines=None if lines is None else [(line["product"], line["quantity"]) for line in lines],
            **data,
        )
        return self._answer(shipment, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_shipment(self, request, pk=None):
        """The goods leave the warehouse: the stock goes out and what shipped is invoiced."""
        return self._answer(services.shipment_dispatch(actor=request.user, shipment=self.get_object()))

    @extend_schema(request=ShipmentDeliverSerializer, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        shipment = self.get_object()
        serializer = ShipmentDeliverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = data.pop("lines", None)
        received = None if lines is None else {line["product"]: line["quantity_received"] for line in lines}
        return self._answer(services.shipment_deliver(actor=request.user, shipment=shipment, received=received, **data))

    @extend_schema(request=ShipmentReasonSerializer, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        shipment = self.get_object()
        serializer = ShipmentReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(
            services.shipment_cancel(actor=request.user, shipment=shipment, **serializer.validated_data)
        )

    @extend_schema(methods=["get"], request=None, responses={200: TrackingEventSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request=TrackingEventSerializer,
        responses={200: TrackingEventSerializer, 201: TrackingEventSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def events(self, request, pk=None):
        """The shipment's journey, earliest first; POST adds a step (HQ users: the order desk, a carrier's system,
        a driver). The same ``external_id`` again answers 200 with the step already recorded."""
        if request.method == "GET":
            steps = self.get_object().tracking.order_by("occurred_at", "id")
            return Response(TrackingEventSerializer(steps, many=True).data)
        if not request.user.is_hq:
            raise PermissionDeniedError()
        shipment = self.get_object()
        serializer = TrackingEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event, created = services.shipment_track(actor=request.user, shipment=shipment, **serializer.validated_data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(TrackingEventSerializer(event).data, status=code)


def _km(metres: int) -> Decimal:
    return (Decimal(metres) / 1000).quantize(Decimal("0.1"))


class PlanStopSerializer(serializers.ModelSerializer):
    shipment_number = serializers.CharField(source="shipment.number", read_only=True)
    dealer = serializers.CharField(source="shipment.dealer.code", read_only=True)
    latitude = serializers.DecimalField(source="shipment.latitude", max_digits=9, decimal_places=6, read_only=True)
    longitude = serializers.DecimalField(source="shipment.longitude", max_digits=9, decimal_places=6, read_only=True)

    class Meta:
        model = PlanStop
        fields = ["shipment", "shipment_number", "dealer", "sequence", "arrival", "latitude", "longitude"]
        read_only_fields = fields


class PlanRouteSerializer(serializers.ModelSerializer):
    vehicle = serializers.CharField(source="vehicle.plate", read_only=True)
    distance_km = serializers.SerializerMethodField()
    stops = PlanStopSerializer(many=True, read_only=True)

    class Meta:
        model = PlanRoute
        fields = [
            "id",
            "vehicle",
            "locked",
            "starts_at",
            "ends_at",
            "distance_km",
            "load_kg",
            "load_m3",
            "cost",
            "stops",
        ]
        read_only_fields = fields

    def get_distance_km(self, route) -> Decimal:
        return _km(route.distance_m)


class UnplannedSerializer(serializers.Serializer):
    shipment = serializers.IntegerField()
    reason = serializers.CharField(help_text=_("no_coordinates, too_large, window_unreachable or no_room."))


class DeliveryPlanSerializer(serializers.ModelSerializer):
    warehouse = serializers.SlugRelatedField(slug_field="code", read_only=True)
    total_distance_km = serializers.SerializerMethodField()
    naive_distance_km = serializers.SerializerMethodField()
    saving_percent = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True, allow_null=True)
    routes = PlanRouteSerializer(many=True, read_only=True)
    unplanned = UnplannedSerializer(many=True, read_only=True)

    class Meta:
        model = DeliveryPlan
        fields = [
            "id",
            "warehouse",
            "date",
            "status",
            "time_limit_s",
            "created_at",
            "started_at",
            "finished_at",
            "dispatched_at",
            "error",
            "total_distance_km",
            "naive_distance_km",
            "saving_percent",
            "cost",
            "naive_cost",
            "routes",
            "unplanned",
        ]
        read_only_fields = fields

    def get_total_distance_km(self, plan) -> Decimal:
        return _km(plan.distance_m)

    def get_naive_distance_km(self, plan) -> Decimal:
        return _km(plan.naive_distance_m)


class DeliveryPlanListSerializer(DeliveryPlanSerializer):
    route_count = serializers.IntegerField(read_only=True)
    stop_count = serializers.IntegerField(read_only=True)

    class Meta(DeliveryPlanSerializer.Meta):
        fields = [f for f in DeliveryPlanSerializer.Meta.fields if f not in ("routes", "unplanned")] + [
            "route_count",
            "stop_count",
        ]
        read_only_fields = fields


class DeliveryPlanRequestSerializer(serializers.Serializer):
    warehouse = serializers.SlugRelatedField(slug_field="code", queryset=Warehouse.objects.filter(is_active=True))
    date = serializers.DateField()


class MoveStopSerializer(serializers.Serializer):
    shipment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    route = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class LockRouteSerializer(serializers.Serializer):
    route = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    locked = serializers.BooleanField()


class DeliveryPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """A warehouse's own-fleet deliveries of a day, routed by the solver in the worker. POST queues a plan (or
    plans the day again) and answers 202 with it; read it again until its status is ``ready`` or ``failed``."""

    selector = selectors.plan_list
    allowed_roles = HQ
    serializer_class = DeliveryPlanSerializer

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset()
        return selectors.plan_detail_queryset(user=self.request.user)

    def get_serializer_class(self):
        return DeliveryPlanListSerializer if self.action == "list" else DeliveryPlanSerializer

    def _answer(self, plan, code=status.HTTP_200_OK):
        fresh = selectors.plan_detail_queryset(user=self.request.user).get(pk=plan.pk)
        return Response(DeliveryPlanSerializer(fresh).data, status=code)

    @extend_schema(request=DeliveryPlanRequestSerializer, responses={202: DeliveryPlanSerializer})
    def create(self, request):
        serializer = DeliveryPlanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan, _created = services.delivery_plan_request(actor=request.user, **serializer.validated_data)
        return self._answer(plan, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: DeliveryPlanSerializer})
    @action(detail=True, methods=["post"])
    def reoptimise(self, request, pk=None):
        """Optimise again: locked routes stay, the rest is routed anew."""
        plan = services.delivery_plan_reoptimise(actor=request.user, plan=self.get_object())
        return self._answer(plan, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: DeliveryPlanSerializer})
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_plan(self, request, pk=None):
        """Every shipment on the plan's routes goes in transit."""
        return self._answer(services.delivery_plan_dispatch(actor=request.user, plan=self.get_object()))

    @extend_schema(request=MoveStopSerializer, responses={200: DeliveryPlanSerializer})
    @action(detail=True, methods=["post"], url_path="move-stop")
    def move_stop(self, request, pk=None):
        """Move a stop to another route; both routes are locked as moved."""
        plan = self.get_object()
        serializer = MoveStopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.delivery_plan_move_stop(
            actor=request.user, plan=plan, shipment_id=data["shipment"], route_id=data["route"]
        )
        return self._answer(plan)

    @extend_schema(request=LockRouteSerializer, responses={200: DeliveryPlanSerializer})
    @action(detail=True, methods=["post"], url_path="lock-route")
    def lock_route(self, request, pk=None):
        """Keep a route as it is (or let it go) when the plan is optimised again."""
        plan = self.get_object()
        serializer = LockRouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.delivery_plan_lock_route(actor=request.user, plan=plan, route_id=data["route"], locked=data["locked"])
        return self._answer(plan)
