"""API for orders: drafts and their lines, submission, approval, rejection, cancellation, shipping, delivery, copies."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dealers.models import Region
from dealers.selectors import dealers_in_scope
from dms.api.fields import MAX_ID
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.scoping import found_in_scope_or_404, in_scope_or_404
from dms.api.viewsets import ScopedViewSet
from dms.errors import PermissionDeniedError
from dms.views import EVERYONE, HQ
from orders import panels, selectors, services
from orders.filters import OrderFilterSet
from orders.models import Invoice, Order, OrderLine, Reservation


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
            "shipped_quantity",
            "reservations",
        ]
        read_only_fields = fields


class OrderInvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["id", "number", "gross_amount", "status", "issued_on", "due_on"]
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
    invoice = serializers.SerializerMethodField(
        help_text=_("The latest invoice: an order shipped in parts has one per shipment.")
    )
    invoice_number = serializers.SerializerMethodField()
    invoices = OrderInvoiceSerializer(many=True, read_only=True)
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
            "invoices",
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

    def _latest_invoice(self, obj):
        invoices = obj.invoices.all()
        return invoices[len(invoices) - 1] if invoices else None

    def get_invoice(self, obj) -> int | None:
        invoice = self._latest_invoice(obj)
        return invoice.pk if invoice else None

    def get_invoice_number(self, obj) -> str | None:
        invoice = self._latest_invoice(obj)
        return invoice.number if invoice else None


class OrderDetailSerializer(OrderSerializer):
    """One order as the API's detail shows it: with the figures apps above add (``panels.figures``, such as the
    logistics app's freight), which the view reads and sets on the order under their keys."""

    def get_fields(self):
        fields = super().get_fields()
        for extra in panels.figures():
            fields[extra.key] = extra.serializer(read_only=True, allow_null=True)
        return fields


# Building OrderSerializer's fields (model introspection, the nested line and reservation serializers) costs
# several times what rendering one order does. The write actions answer with one instance built once per
# process: it reads no context, every value comes from the order itself.
ORDER_OUTPUT = OrderSerializer()


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

    selector = selectors.order_api_queryset
    allowed_roles = EVERYONE
    action_roles = {"approve": HQ, "reject": HQ, "ship": HQ}
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet

    def get_queryset(self):
        # Actions look the order up in scope only; what they answer is read afresh by ``_response``, or is
        # what the service wrote (``order_as_written``).
        if self.action in ("list", "retrieve"):
            return super().get_queryset()
        return selectors.orders_in_scope(user=self.request.user)

    def filter_queryset(self, queryset):
        # The list's filters narrow the list; an action on one order finds it by id alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    def retrieve(self, request, pk=None):
        order = self.get_object()
        for extra in panels.figures():
            setattr(order, extra.key, extra.data(user=request.user, order=order))
        return Response(self.get_serializer(order).data)

    def _response(self, order, status_code=status.HTTP_200_OK):
        detail = selectors.order_api_queryset(user=self.request.user).get(pk=order.pk)
        return self._answer(detail, status_code)

    def _answer(self, order, status_code=status.HTTP_200_OK):
        """Answer with an order whose lines and reservations are in place: no query."""
        return Response(ORDER_OUTPUT.to_representation(order), status=status_code)

    def _dealer(self, dealer_id):
        user = self.request.user
        if user.is_dealer_user:
            if dealer_id is not None and dealer_id != user.dealer_id:
                raise PermissionDeniedError(_("A dealer user orders for their own dealer only."))
            if type(user).dealer.is_cached(user):
                # Their own dealer, the whole of their scope, came with them (``token_authenticate``).
                return user.dealer
            dealer_id = user.dealer_id
        elif dealer_id is None:
            raise serializers.ValidationError({"dealer": [_("Choose the dealer the order is for.")]})
        return in_scope_or_404(dealers_in_scope(user=user).select_related("region").filter(pk=dealer_id).first())

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer}, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def create(self, request):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        dealer = self._dealer(data.pop("dealer", None))
        order = services.order_create(actor=request.user, dealer=dealer, **data)
        return self._answer(services.order_as_written(order), status.HTTP_201_CREATED)

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
        with found_in_scope_or_404(Order, pk) as named:
            order = services.order_submit(actor=request.user, order=named)
        return self._answer(services.order_as_written(order))

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
            "order": OrderSerializer(selectors.order_api_queryset(user=request.user).get(pk=copy.pk)).data,
            "skipped": [problem.as_data() for problem in skipped],
        }
        return Response(body, status=status.HTTP_201_CREATED)
