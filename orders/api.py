"""API for the catalogue, prices, stock, orders, invoices, payments and credit: the same selectors and
services as the HQ pages and the portal."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dealers.models import Dealer, Region
from dealers.selectors import dealer_in_scope, dealer_list
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.scoping import in_scope_or_404
from dms.api.viewsets import ScopedViewSet
from dms.errors import PermissionDeniedError
from dms.views import EVERYONE, HQ
from orders import selectors, services
from orders.filters import InvoiceFilterSet, OrderFilterSet, PaymentFilterSet, ProductFilterSet, StockFilterSet
from orders.models import (
    DealerAuthorization,
    Invoice,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    PriceList,
    PriceListItem,
    Product,
    ProductLine,
    Reservation,
    StockLevel,
    Warehouse,
)

MAX_ID = 2**63 - 1


# Catalogue -------------------------------------------------------------------------------------


class ProductLineSerializer(serializers.ModelSerializer):
    product_count = serializers.IntegerField(read_only=True, help_text=_("Active products in the line."))

    class Meta:
        model = ProductLine
        fields = ["id", "code", "name", "name_en", "position", "is_active", "product_count"]


class ProductLineWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["code", "name", "name_en", "position", "is_active"]


class ProductLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Product lines. Dealer users see the active lines they are authorised for; HQ edits the catalogue."""

    selector = selectors.product_line_list
    allowed_roles = EVERYONE
    action_roles = {"create": HQ, "partial_update": HQ}
    serializer_class = ProductLineSerializer

    @extend_schema(request=ProductLineWriteSerializer, responses={201: ProductLineSerializer})
    def create(self, request):
        serializer = ProductLineWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.product_line_save(actor=request.user, **serializer.validated_data)
        return Response(ProductLineSerializer(self.get_queryset().get(pk=line.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductLineWriteSerializer, responses={200: ProductLineSerializer})
    def partial_update(self, request, pk=None):
        line = self.get_object()
        serializer = ProductLineWriteSerializer(line, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        line = services.product_line_save(actor=request.user, product_line=line, **serializer.validated_data)
        return Response(ProductLineSerializer(self.get_queryset().get(pk=line.pk)).data)


PRICE_SOURCES = [("dealer", _("dealer price list")), ("tier", _("tier price list")), ("base", _("base price"))]


class ProductSerializer(serializers.ModelSerializer):
    product_line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    price = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text=_("What the dealer pays per unit, incl. VAT.")
    )
    price_source = serializers.ChoiceField(choices=PRICE_SOURCES, read_only=True)
    available = serializers.IntegerField(read_only=True, help_text=_("Units free to order in active warehouses."))

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "name_en",
            "product_line",
            "unit",
            "pack_size",
            "base_price",
            "vat_rate",
            "weight_kg",
            "volume_m3",
            "is_active",
            "price",
            "price_source",
            "available",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProductWriteSerializer(serializers.ModelSerializer):
    product_line = serializers.SlugRelatedField(slug_field="code", queryset=ProductLine.objects.all())

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "name_en",
            "product_line",
            "unit",
            "pack_size",
            "base_price",
            "vat_rate",
            "weight_kg",
            "volume_m3",
            "is_active",
        ]
        extra_kwargs = {
            "vat_rate": {"min_value": Decimal("0"), "max_value": Decimal("0.999")},
            "weight_kg": {"min_value": Decimal("0")},
            "volume_m3": {"min_value": Decimal("0")},
        }


PRICED_FOR = OpenApiParameter(
    name="dealer",
    type={"type": "integer", "minimum": 1, "maximum": MAX_ID},
    location=OpenApiParameter.QUERY,
    required=False,
    description=_("Head office: show the prices this dealer pays (a dealer in your scope)."),
)


class PricedForSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Products with a resolved price. Dealer users see the active products they are authorised for at
    their own price; HQ sees every product at the base price, or at a dealer's price with ``?dealer=``."""

    selector = selectors.product_list
    allowed_roles = EVERYONE
    action_roles = {"create": HQ, "partial_update": HQ}
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet

    def get_queryset(self):
        return selectors.product_list(user=self.request.user, dealer=self._priced_for())

    def _priced_for(self):
        raw = self.request.query_params.get("dealer", "")
        if raw == "":
            return None
        query = PricedForSerializer(data={"dealer": raw})
        query.is_valid(raise_exception=True)
        return in_scope_or_404(dealer_in_scope(user=self.request.user, dealer_id=query.validated_data["dealer"]))

    @extend_schema(parameters=[PRICED_FOR])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[PRICED_FOR])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer})
    def create(self, request):
        serializer = ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_save(actor=request.user, **serializer.validated_data)
        return Response(ProductSerializer(self.get_queryset().get(pk=product.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductWriteSerializer, responses={200: ProductSerializer})
    def partial_update(self, request, pk=None):
        product = self.get_object()
        serializer = ProductWriteSerializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product = services.product_save(actor=request.user, product=product, **serializer.validated_data)
        return Response(ProductSerializer(self.get_queryset().get(pk=product.pk)).data)


class PriceListItemSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["product", "sku", "price"]
        read_only_fields = fields


class PriceListSerializer(serializers.ModelSerializer):
    tier = serializers.ChoiceField(choices=Dealer.Tier.choices, allow_blank=True, read_only=True)
    dealer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    items = PriceListItemSerializer(many=True, read_only=True)

    class Meta:
        model = PriceList
        fields = ["id", "name", "kind", "tier", "dealer", "valid_from", "valid_until", "created_at", "items"]
        read_only_fields = fields


class PriceItemInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))


class PriceListWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=PriceList.Kind.choices)
    tier = serializers.ChoiceField(
        choices=Dealer.Tier.choices, allow_blank=True, required=False, help_text=_("For a tier price list.")
    )
    dealer = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False, help_text=_("For a dealer price list.")
    )
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(allow_null=True, required=False)
    items = PriceItemInputSerializer(
        many=True, required=False, help_text=_("Replaces every price of the list when given.")
    )

    def validate_items(self, items):
        products = [item["product"].pk for item in items]
        if len(products) != len(set(products)):
            raise serializers.ValidationError(_("Give each product once."))
        return items


class PriceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Tier and dealer price lists with their prices. A dealer reads its own and its tier's."""

    selector = selectors.price_list_list
    allowed_roles = EVERYONE
    action_roles = {"create": HQ, "partial_update": HQ}
    serializer_class = PriceListSerializer
    filterset_fields = ["kind", "dealer"]

    def _save(self, request, price_list, partial):
        serializer = PriceListWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("dealer") is not None:
            data["dealer"] = in_scope_or_404(dealer_in_scope(user=request.user, dealer_id=data["dealer"]))
        if "items" in data:
            data["items"] = {item["product"]: item["price"] for item in data["items"]}
        price_list = services.price_list_save(actor=request.user, price_list=price_list, **data)
        return PriceListSerializer(self.get_queryset().get(pk=price_list.pk)).data

    @extend_schema(request=PriceListWriteSerializer, responses={201: PriceListSerializer})
    def create(self, request):
        return Response(self._save(request, None, partial=False), status=status.HTTP_201_CREATED)

    @extend_schema(request=PriceListWriteSerializer, responses={200: PriceListSerializer})
    def partial_update(self, request, pk=None):
        return Response(self._save(request, self.get_object(), partial=True))


class AuthorizationSerializer(serializers.ModelSerializer):
    dealer = serializers.PrimaryKeyRelatedField(read_only=True)
    product_line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = DealerAuthorization
        fields = ["id", "dealer", "product_line", "regions", "valid_from", "valid_until", "created_at"]
        read_only_fields = fields


class AuthorizationWriteSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    product_line = serializers.SlugRelatedField(slug_field="code", queryset=ProductLine.objects.all())
    regions = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        many=True,
        required=False,
        help_text=_("Region codes; empty authorises everywhere the dealer sells."),
    )
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(allow_null=True, required=False)


class AuthorizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Which product lines a dealer may sell (授权经营), where and when. Head office only."""

    selector = selectors.authorization_list
    allowed_roles = HQ
    serializer_class = AuthorizationSerializer
    filterset_fields = ["dealer"]

    def _save(self, request, authorization, partial):
        serializer = AuthorizationWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "dealer" in data:
            data["dealer"] = in_scope_or_404(dealer_in_scope(user=request.user, dealer_id=data["dealer"]))
        authorization = services.authorization_save(actor=request.user, authorization=authorization, **data)
        return AuthorizationSerializer(self.get_queryset().get(pk=authorization.pk)).data

    @extend_schema(request=AuthorizationWriteSerializer, responses={201: AuthorizationSerializer})
    def create(self, request):
        return Response(self._save(request, None, partial=False), status=status.HTTP_201_CREATED)

    @extend_schema(request=AuthorizationWriteSerializer, responses={200: AuthorizationSerializer})
    def partial_update(self, request, pk=None):
        return Response(self._save(request, self.get_object(), partial=True))


# Warehouses and stock --------------------------------------------------------------------------


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
        warehouse = services.warehouse_save(actor=request.user, **serializer.validated_data)
        return Response(WarehouseSerializer(warehouse).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WarehouseSerializer, responses={200: WarehouseSerializer})
    def partial_update(self, request, pk=None):
        warehouse = self.get_object()
        serializer = WarehouseSerializer(warehouse, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        warehouse = services.warehouse_save(actor=request.user, warehouse=warehouse, **serializer.validated_data)
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


# Orders ----------------------------------------------------------------------------------------


class ReservationSerializer(serializers.ModelSerializer):
    warehouse = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Reservation
        fields = ["warehouse", "quantity"]
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.local_name", read_only=True)
    reservations = ReservationSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "product",
            "sku",
            "product_name",
            "quantity",
            "unit_price",
            "vat_rate",
            "net_amount",
            "vat_amount",
            "gross_amount",
            "reservations",
        ]
        read_only_fields = fields


class ApprovalReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("One of credit_limit, overdue, large_order."))
    limit = serializers.DecimalField(max_digits=20, decimal_places=2, required=False)
    exposure = serializers.DecimalField(max_digits=20, decimal_places=2, required=False)
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, required=False)
    threshold = serializers.DecimalField(max_digits=20, decimal_places=2, required=False)
    days = serializers.IntegerField(required=False)


class OrderSerializer(serializers.ModelSerializer):
    dealer = serializers.PrimaryKeyRelatedField(read_only=True)
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    ship_to_region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    copied_from = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    decided_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    approval_reasons = ApprovalReasonSerializer(
        many=True, read_only=True, help_text=_("Why the order waits (or waited) for head office's approval.")
    )
    invoice = serializers.SerializerMethodField()
    invoice_number = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "dealer",
            "dealer_code",
            "dealer_name",
            "status",
            "status_display",
            "ship_to_address",
            "ship_to_region",
            "requested_delivery_date",
            "note",
            "net_amount",
            "vat_amount",
            "gross_amount",
            "approval_reasons",
            "decision_reason",
            "credit_override",
            "decided_by",
            "decided_at",
            "created_by",
            "copied_from",
            "invoice",
            "invoice_number",
            "created_at",
            "submitted_at",
            "shipped_at",
            "delivered_at",
            "completed_at",
            "cancelled_at",
            "updated_at",
            "lines",
        ]
        read_only_fields = fields

    def get_invoice(self, obj) -> int | None:
        invoice = getattr(obj, "invoice", None)
        return invoice.pk if invoice else None

    def get_invoice_number(self, obj) -> str | None:
        invoice = getattr(obj, "invoice", None)
        return invoice.number if invoice else None


class OrderLineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(
        min_value=1, max_value=services.MAX_QUANTITY, help_text=_("A multiple of the product's pack size.")
    )


class OrderUpdateSerializer(serializers.Serializer):
    lines = OrderLineInputSerializer(
        many=True, required=False, max_length=services.MAX_LINES, help_text=_("Replaces every line of the draft.")
    )
    ship_to_address = serializers.CharField(max_length=300, allow_blank=True, required=False)
    ship_to_region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), allow_null=True, required=False
    )
    requested_delivery_date = serializers.DateField(allow_null=True, required=False)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False)


class OrderCreateSerializer(OrderUpdateSerializer):
    dealer = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_("Required for head office; a dealer user orders for their own dealer."),
    )


class OrderApproveSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text=_("Required when approving past the credit limit or with overdue invoices."),
    )


class OrderReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class SkippedLineSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    sku = serializers.CharField()
    code = serializers.CharField(
        help_text=_("One of product_inactive, not_authorized, invalid_quantity, pack_multiple.")
    )
    message = serializers.CharField()


class OrderCopySerializer(serializers.Serializer):
    order = OrderSerializer()
    skipped = SkippedLineSerializer(many=True, help_text=_("Lines of the old order that cannot be ordered now."))


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Orders of the dealers in your scope. Dealer users create, change, submit, copy, cancel and confirm
    delivery of their own; the order desk approves, rejects and ships."""

    selector = selectors.order_detail_queryset
    allowed_roles = EVERYONE
    action_roles = {"approve": HQ, "reject": HQ, "ship": HQ}
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet

    def get_queryset(self):
        # Actions look the order up in scope only; what they answer is read afresh by ``_response``.
        if self.action in ("list", "retrieve"):
            return super().get_queryset()
        return selectors.orders_in_scope(user=self.request.user)

    def _response(self, order, status_code=status.HTTP_200_OK):
        detail = selectors.order_detail_queryset(user=self.request.user).get(pk=order.pk)
        return Response(OrderSerializer(detail).data, status=status_code)

    def _dealer(self, dealer_id):
        user = self.request.user
        if user.is_dealer_user:
            if dealer_id is not None and dealer_id != user.dealer_id:
                raise PermissionDeniedError(_("A dealer user orders for their own dealer only."))
            dealer_id = user.dealer_id
        elif dealer_id is None:
            raise serializers.ValidationError({"dealer": [_("Choose the dealer the order is for.")]})
        return in_scope_or_404(dealer_in_scope(user=user, dealer_id=dealer_id))

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer}, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def create(self, request):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        dealer = self._dealer(data.pop("dealer", None))
        order = services.order_create(actor=request.user, dealer=dealer, **data)
        return self._response(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderUpdateSerializer, responses={200: OrderSerializer})
    def partial_update(self, request, pk=None):
        order = self.get_object()
        serializer = OrderUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        order = services.order_update(actor=request.user, order=order, lines=data.pop("lines", None), **data)
        return self._response(order)

    @extend_schema(request=None, responses={200: OrderSerializer}, parameters=[IDEMPOTENCY_PARAMETER])
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request, pk=None):
        return self._response(services.order_submit(actor=request.user, order=self.get_object()))

    @extend_schema(request=OrderApproveSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        order = self.get_object()
        serializer = OrderApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._response(services.order_approve(actor=request.user, order=order, **serializer.validated_data))

    @extend_schema(request=OrderReasonSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        order = self.get_object()
        serializer = OrderReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._response(services.order_reject(actor=request.user, order=order, **serializer.validated_data))

    @extend_schema(request=OrderReasonSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        serializer = OrderReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._response(services.order_cancel(actor=request.user, order=order, **serializer.validated_data))

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        return self._response(services.order_ship(actor=request.user, order=self.get_object()))

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._response(services.order_deliver(actor=request.user, order=self.get_object()))

    @extend_schema(request=None, responses={201: OrderCopySerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        copy, skipped = services.order_copy(actor=request.user, order=self.get_object())
        body = {
            "order": OrderSerializer(selectors.order_detail_queryset(user=request.user).get(pk=copy.pk)).data,
            "skipped": [problem.as_data() for problem in skipped],
        }
        return Response(body, status=status.HTTP_201_CREATED)


# Invoices, payments, credit --------------------------------------------------------------------


class InvoiceAllocationSerializer(serializers.ModelSerializer):
    payment = serializers.PrimaryKeyRelatedField(read_only=True)
    reference = serializers.CharField(source="payment.reference", read_only=True)
    received_on = serializers.DateField(source="payment.received_on", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["payment", "reference", "received_on", "amount", "created_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    dealer = serializers.PrimaryKeyRelatedField(read_only=True)
    order = serializers.PrimaryKeyRelatedField(read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    days_overdue = serializers.SerializerMethodField()
    allocations = InvoiceAllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "dealer",
            "order",
            "order_number",
            "net_amount",
            "vat_amount",
            "gross_amount",
            "paid_amount",
            "outstanding",
            "status",
            "status_display",
            "issued_on",
            "due_on",
            "paid_on",
            "days_overdue",
            "allocations",
        ]
        read_only_fields = fields

    def get_days_overdue(self, obj) -> int:
        return obj.days_overdue()


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Invoices of the dealers in your scope, with the payments allocated to them."""

    selector = selectors.invoice_list
    allowed_roles = EVERYONE
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("allocations__payment")


class PaymentAllocationSerializer(serializers.ModelSerializer):
    invoice = serializers.PrimaryKeyRelatedField(read_only=True)
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["invoice", "invoice_number", "amount", "created_at"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    dealer = serializers.PrimaryKeyRelatedField(read_only=True)
    recorded_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    allocations = PaymentAllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "dealer",
            "reference",
            "amount",
            "unallocated_amount",
            "received_on",
            "method",
            "method_display",
            "note",
            "recorded_by",
            "created_at",
            "allocations",
        ]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    received_on = serializers.DateField()
    reference = serializers.CharField(max_length=100, help_text=_("Bank or ERP reference, unique per dealer."))
    method = serializers.ChoiceField(choices=Payment.Method.choices, required=False)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False)


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Payments received from dealers (回款), each allocated to the oldest open invoices first."""

    selector = selectors.payment_list
    allowed_roles = EVERYONE
    action_roles = {"create": HQ}
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("allocations__invoice")

    @extend_schema(
        request=PaymentCreateSerializer, responses={201: PaymentSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def create(self, request):
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        dealer = in_scope_or_404(dealer_in_scope(user=request.user, dealer_id=data.pop("dealer")))
        payment = services.payment_record(actor=request.user, dealer=dealer, **data)
        return Response(PaymentSerializer(self.get_queryset().get(pk=payment.pk)).data, status=status.HTTP_201_CREATED)


class OverdueInvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    due_on = serializers.DateField()
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2)
    days_overdue = serializers.SerializerMethodField()

    def get_days_overdue(self, obj) -> int:
        return obj.days_overdue()


def _total(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


class CreditPositionSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(source="dealer_id")
    credit_limit = _total()
    open_invoices = _total(help_text=_("Unpaid invoices."))
    open_orders = _total(help_text=_("Approved and pending orders not yet invoiced."))
    unallocated = _total(help_text=_("Payments not yet allocated to an invoice."))
    exposure = _total(help_text=_("Open invoices plus open orders, less unallocated payments."))
    available = _total(help_text=_("Credit limit less exposure; negative when past the limit."))
    overdue_amount = _total()
    oldest_overdue_days = serializers.IntegerField()
    overdue_invoices = OverdueInvoiceSerializer(many=True)


class CreditLimitSerializer(serializers.Serializer):
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    reason = serializers.CharField(max_length=1000)


class DealerCreditViewSet(ScopedViewSet):
    """A dealer's credit position; finance sets the credit limit. Dealer users read their own."""

    selector = dealer_list
    allowed_roles = EVERYONE
    action_roles = {"credit_limit": HQ}
    serializer_class = CreditPositionSerializer
    pagination_class = None

    def _position(self, dealer):
        return Response(CreditPositionSerializer(selectors.credit_position(dealer=dealer)).data)

    @extend_schema(responses={200: CreditPositionSerializer})
    def credit(self, request, pk=None):
        return self._position(self.get_object())

    @extend_schema(request=CreditLimitSerializer, responses={200: CreditPositionSerializer})
    def credit_limit(self, request, pk=None):
        dealer = self.get_object()
        serializer = CreditLimitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.credit_limit_set(actor=request.user, dealer=dealer, **serializer.validated_data)
        return self._position(dealer)
