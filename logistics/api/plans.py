"""API for delivery plans: a warehouse's day routed over its fleet in the worker, reviewed, changed and dispatched."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dms.api.fields import MAX_ID
from dms.api.viewsets import ScopedViewSet
from dms.views import HQ
from logistics import selectors, services
from logistics.models import (
    DeliveryPlan,
    PlanRoute,
    PlanStop,
)
from orders.models import Warehouse


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
