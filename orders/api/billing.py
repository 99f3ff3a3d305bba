"""API for invoices, payments and dealers' credit positions and limits."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from dealers.selectors import dealer_in_scope, dealer_list
from dms.api.fields import MAX_ID
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.scoping import in_scope_or_404
from dms.api.viewsets import ScopedViewSet
from dms.views import EVERYONE, HQ
from orders import selectors, services
from orders.filters import InvoiceFilterSet, PaymentFilterSet
from orders.models import Invoice, Payment, PaymentAllocation


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
    method = serializers.ChoiceField(choices=Payment.RECEIVED_METHODS, required=False)
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
