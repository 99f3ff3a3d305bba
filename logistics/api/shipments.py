"""API for shipments: planned, dispatched and cancelled by the order desk, tracked by carriers' systems and drivers,
received by the dealers; the carriers' charges, one by one or a whole bill; and the delivery KPIs."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dms.api.fields import MAX_ID
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.parsers import MultiPartParser
from dms.api.scoping import in_scope_or_404
from dms.api.viewsets import ScopedViewSet
from dms.errors import PermissionDeniedError, RuleViolation
from dms.views import EVERYONE, HQ
from logistics import forms, kpis, selectors, services
from logistics.filters import ShipmentFilterSet
from logistics.models import (
    Carrier,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from orders.models import Warehouse
from orders.selectors import orders_in_scope
from orders.services import MAX_QUANTITY

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

    def to_representation(self, instance):
        """The freight is what the brand pays its carriers: null for a dealer's users."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_dealer_user", False):
            data["freight_quote"] = data["freight_charge"] = None
        return data


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


class FreightChargeSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("What the carrier charged, in yuan: above zero, to the cent.")
    )
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("The number of the carrier's invoice or bill.")
    )
    invoiced_on = serializers.DateField(required=False, allow_null=True, help_text=_("The date of that invoice."))


class FreightImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "A carrier's bill as CSV or .xlsx, with the columns of the HQ page's template: carrier code, shipment "
            "number or tracking number, amount charged, and optionally the invoice number and date."
        )
    )


class FreightImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(source="rows_total")
    imported = serializers.IntegerField(source="created")
    changed = serializers.IntegerField(help_text=_("Charges new or different from the one recorded."))
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("The sum of the charges."))


class OrderFreightSerializer(serializers.Serializer):
    """What carrying an order costs, as the order's detail shows it to head office."""

    freight = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text=_("Over the order's carrier shipments not cancelled: the carrier's charge, else the quote."),
    )
    units = serializers.IntegerField(help_text=_("Units those shipments carry."))
    per_unit = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    share_percent = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        allow_null=True,
        help_text=_("The freight in per cent of the order's net amount."),
    )
    charged = serializers.IntegerField(help_text=_("Shipments counted at the carrier's charge."))
    quoted = serializers.IntegerField(help_text=_("Shipments counted at their quote: the carrier has not billed yet."))
    unpriced = serializers.IntegerField(help_text=_("Carrier shipments with neither a quote nor a charge, left out."))


MONTH = {"type": "string", "pattern": r"^[12]\d{3}-(0[1-9]|1[0-2])$", "example": "2026-06"}
KPI_PARAMETERS = [
    OpenApiParameter(
        "group",
        str,
        enum=[key for key, _label in kpis.GROUPS],
        description=_(
            "month (the default), warehouse, carrier (or the mode, for shipments without one) or region "
            "(the province shipped to)."
        ),
    ),
    OpenApiParameter(
        "from", MONTH, description=_("The first month of delivery, YYYY-MM: eleven months before the last one.")
    ),
    OpenApiParameter(
        "to", MONTH, description=_("The last month of delivery, YYYY-MM: this month. At most 60 months in all.")
    ),
    OpenApiParameter("warehouse", str, description=_("Only the shipments from this warehouse (its code).")),
    OpenApiParameter("mode", str, enum=Shipment.Mode.values, description=_("Only the shipments that went this way.")),
]


class ShipmentKpiLineSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text=_(
            "The month (YYYY-MM), the warehouse's code, the carrier's code or the mode, or the province's code; "
            "empty for the total and for shipments without a region."
        )
    )
    label = serializers.CharField()
    delivered = serializers.IntegerField()
    on_time = serializers.IntegerField()
    in_full = serializers.IntegerField()
    otif = serializers.IntegerField(help_text=_("On time and in full."))
    on_time_percent = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    in_full_percent = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    otif_percent = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    lead_time_days = serializers.DecimalField(
        source="lead_days",
        max_digits=None,
        decimal_places=1,
        allow_null=True,
        help_text=_("The average time from the order's approval to the delivery, in days."),
    )
    freight_shipments = serializers.IntegerField(
        source="freight_count", help_text=_("The shipments with a freight cost and an invoice: those the ratio counts.")
    )
    freight_cost = serializers.DecimalField(
        max_digits=None, decimal_places=2, help_text=_("The carriers' charges, or their quotes where none is recorded.")
    )
    invoiced = serializers.DecimalField(
        max_digits=None, decimal_places=2, help_text=_("The net amount invoiced for the same shipments.")
    )
    freight_ratio_percent = serializers.DecimalField(
        source="freight_percent", max_digits=None, decimal_places=2, allow_null=True
    )


class ShipmentKpiSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=kpis.GROUPS)
    start = serializers.DateField(source="first_month", help_text=_("The first day of the period."))
    end = serializers.DateField(help_text=_("The last day of the period."))
    total = ShipmentKpiLineSerializer()
    rows = ShipmentKpiLineSerializer(source="lines", many=True)


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Shipments of the orders in your scope. The order desk plans, dispatches and cancels them; a carrier's
    system or a driver adds tracking events; the dealer (or the desk, or the driver) records delivery."""

    selector = selectors.shipment_list
    allowed_roles = EVERYONE
    action_roles = {"create": HQ, "dispatch_shipment": HQ, "cancel": HQ, "charge": HQ, "import_charges": HQ}
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
        return Response(self.get_serializer(shipment).data, status=code)

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

    @extend_schema(request=FreightChargeSerializer, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def charge(self, request, pk=None):
        """Record what the carrier charged for a shipment it carried (422 ``not_by_carrier``, ``not_dispatched``,
        ``invalid_amount``). Another amount replaces the one recorded; the same amount again changes nothing."""
        shipment = self.get_object()
        serializer = FreightChargeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(
            services.freight_charge_record(actor=request.user, shipment=shipment, **serializer.validated_data)
        )

    @extend_schema(
        request={"multipart/form-data": FreightImportSerializer},
        responses={
            200: FreightImportResultSerializer,
            415: OpenApiResponse(description=_("The file was not sent as multipart/form-data.")),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="charges/import",
        url_name="charges-import",
        parser_classes=[MultiPartParser],
    )
    def import_charges(self, request):
        """Import a carrier's bill: each row names the carrier and one of its shipments in your scope, by shipment
        or tracking number, and the amount charged. Every charge is recorded, or none: a file that cannot be read
        answers 422 ``import_file_invalid``; rows with problems answer 422 ``import_rows_invalid`` with
        ``data.errors``, one ``{row, column, code, message}`` per problem (codes such as ``unknown_shipment``,
        ``wrong_carrier``, ``invalid_amount``, ``duplicate_row``). The same bill again changes nothing."""
        serializer = FreightImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.freight_charges_import(actor=request.user, uploaded_file=serializer.validated_data["file"])
        if report.errors:
            raise RuleViolation(
                _("Nothing was imported: correct the rows listed and send the file again."),
                code="import_rows_invalid",
                data={"errors": [error.as_data() for error in report.errors]},
            )
        return Response(FreightImportResultSerializer(report).data)

    @extend_schema(parameters=KPI_PARAMETERS, responses={200: ShipmentKpiSerializer}, filters=False)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def kpis(self, request):
        """Delivery KPIs of the shipments in your scope delivered in a period of months (the last twelve unless
        given): on time, in full, on time in full, the average lead time from the order's approval and the freight
        cost ratio, in total and per month, warehouse, carrier or province (``group``). Refreshed every minute."""
        form = forms.ShipmentKpiForm(request.query_params)
        if not form.is_valid():
            raise translate_validation(form.errors)
        data = form.cleaned_data
        report = kpis.shipment_kpis_cached(
            user=request.user,
            group=data["group"],
            first_month=data["first_month"],
            last_month=data["last_month"],
            warehouse=data["warehouse"],
            mode=data["mode"],
        )
        return Response(ShipmentKpiSerializer(report).data)
