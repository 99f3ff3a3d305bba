"""API for carriers (with a freight quote), rate cards and vehicles: head office's, for who ships orders or
manages the fleet."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dealers.models import Region
from dms.api.viewsets import ScopedViewSet
from dms.views import HQ
from logistics import selectors, services
from logistics.filters import CarrierFilterSet, RateCardFilterSet, VehicleFilterSet
from logistics.models import (
    Carrier,
    RateCard,
    Vehicle,
)
from orders.models import Warehouse


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
