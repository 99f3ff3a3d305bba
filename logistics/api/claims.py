"""API for delivery claims: a dealer (or the order desk for it) reports goods of a delivered shipment missing or
damaged; the order desk decides with a replacement shipment, a credit note, or a rejection."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dms.api.fields import MAX_ID
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.scoping import in_scope_or_404
from dms.api.viewsets import ScopedViewSet
from dms.views import EVERYONE, HQ
from logistics import selectors, services
from logistics.filters import ClaimFilterSet
from logistics.models import ClaimLine, DeliveryClaim
from orders.services import MAX_QUANTITY


class ClaimLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = ClaimLine
        fields = ["product", "sku", "quantity"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    shipment_number = serializers.CharField(source="shipment.number", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    credit_note = serializers.CharField(source="credit_note.reference", read_only=True, default=None, allow_null=True)
    replacements = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    has_photo = serializers.SerializerMethodField()
    lines = ClaimLineSerializer(many=True, read_only=True)

    class Meta:
        model = DeliveryClaim
        fields = [
            "id",
            "number",
            "shipment",
            "shipment_number",
            "order",
            "order_number",
            "dealer",
            "dealer_code",
            "kind",
            "status",
            "description",
            "value",
            "has_photo",
            "opened_at",
            "resolved_at",
            "resolution_reason",
            "credit_amount",
            "credit_note",
            "replacements",
            "lines",
        ]
        read_only_fields = fields

    def get_has_photo(self, claim) -> bool:
        return bool(claim.photo)


class ClaimLineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class ClaimCreateSerializer(serializers.Serializer):
    shipment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=DeliveryClaim.Kind.choices)
    lines = ClaimLineInputSerializer(many=True, min_length=1, max_length=200)
    description = serializers.CharField(max_length=1000)


class ClaimResolveSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=DeliveryClaim.Resolution.choices)
    reason = serializers.CharField(max_length=500)
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("For a credit: at most the claim's value; all of it when left out."),
    )


class DeliveryClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Delivery claims of the dealers in your scope (a dealer's own). A dealer reports on its own delivered
    shipments within the claim window (photos go through the portal); the order desk decides."""

    selector = selectors.claim_detail_queryset
    allowed_roles = EVERYONE
    action_roles = {"resolve": HQ}
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet

    def _answer(self, claim, code=status.HTTP_200_OK):
        claim = selectors.claim_detail_queryset(user=self.request.user).get(pk=claim.pk)
        return Response(ClaimSerializer(claim).data, status=code)

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimSerializer}, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def create(self, request):
        serializer = ClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        shipment = in_scope_or_404(
            selectors.shipments_in_scope(user=request.user).filter(pk=data.pop("shipment")).first()
        )
        claim = services.claim_open(
            actor=request.user,
            shipment=shipment,
            kind=data["kind"],
            lines=[(line["product"], line["quantity"]) for line in data["lines"]],
            description=data["description"],
        )
        return self._answer(claim, status.HTTP_201_CREATED)

    @extend_schema(request=ClaimResolveSerializer, responses={200: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Decide an open claim: ``reship`` plans a replacement shipment, ``credit`` puts a credit note on the
        dealer's account, ``reject`` closes it; each with the reason the dealer reads."""
        claim = self.get_object()
        serializer = ClaimResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(services.claim_resolve(actor=request.user, claim=claim, **serializer.validated_data))
