"""API for warehouses and stock levels, and stock adjustments."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dealers.models import Region
from dms.api.viewsets import ScopedViewSet
from dms.views import HQ
from orders import selectors, services
from orders.filters import StockFilterSet
from orders.models import Product, StockLevel, Warehouse


class WarehouseSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())

    class Meta:
        model = Warehouse
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "region",
            "address",
            "latitude",
            "longitude",
            "priority",
            "is_active",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            "latitude": {"min_value": -90, "max_value": 90},
            "longitude": {"min_value": -180, "max_value": 180},
        }


class WarehouseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Warehouses, for head office."""

    selector = selectors.warehouse_list
    allowed_roles = HQ
    serializer_class = WarehouseSerializer

    @extend_schema(request=WarehouseSerializer, responses={201: WarehouseSerializer})
    def create(self, request):
        serializer = WarehouseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        warehouse = services.catalogue_save(actor=request.user, model=Warehouse, fields=serializer.validated_data)
        return Response(WarehouseSerializer(warehouse).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WarehouseSerializer, responses={200: WarehouseSerializer})
    def partial_update(self, request, pk=None):
        warehouse = self.get_object()
        serializer = WarehouseSerializer(warehouse, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        warehouse = services.catalogue_save(
            actor=request.user, model=Warehouse, instance=warehouse, fields=serializer.validated_data
        )
        return Response(WarehouseSerializer(warehouse).data)


class StockLevelSerializer(serializers.ModelSerializer):
    warehouse = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.PrimaryKeyRelatedField(read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    available = serializers.IntegerField(source="available_qty", read_only=True)

    class Meta:
        model = StockLevel
        fields = ["id", "warehouse", "product", "sku", "on_hand", "reserved", "available", "updated_at"]
        read_only_fields = fields


class StockAdjustSerializer(serializers.Serializer):
    warehouse = serializers.SlugRelatedField(slug_field="code", queryset=Warehouse.objects.all())
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    delta = serializers.IntegerField(
        min_value=-services.MAX_ADJUSTMENT,
        max_value=services.MAX_ADJUSTMENT,
        help_text=_("Units received (positive) or written off (negative)."),
    )
    reason = serializers.CharField(max_length=500)


class StockViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Stock per warehouse and product: on hand, reserved for orders, available. Head office only."""

    selector = selectors.stock_list
    allowed_roles = HQ
    serializer_class = StockLevelSerializer
    filterset_class = StockFilterSet

    @extend_schema(request=StockAdjustSerializer, responses={200: StockLevelSerializer})
    @action(detail=False, methods=["post"])
    def adjust(self, request):
        serializer = StockAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        level = services.stock_adjust(actor=request.user, **serializer.validated_data)
        return Response(StockLevelSerializer(self.get_queryset().get(pk=level.pk)).data)
