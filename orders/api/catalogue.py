"""API for product lines, products with their resolved prices, price lists and dealer authorisations."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from dealers.models import Dealer, Region
from dealers.selectors import dealer_in_scope
from dms.api.fields import MAX_ID
from dms.api.scoping import in_scope_or_404
from dms.api.viewsets import ScopedViewSet
from dms.views import EVERYONE, HQ
from orders import selectors, services
from orders.filters import ProductFilterSet
from orders.models import DealerAuthorization, PriceList, PriceListItem, Product, ProductLine

# The largest id a path or query may name (a bigint primary key).


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
        line = services.catalogue_save(actor=request.user, model=ProductLine, fields=serializer.validated_data)
        return Response(ProductLineSerializer(self.get_queryset().get(pk=line.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductLineWriteSerializer, responses={200: ProductLineSerializer})
    def partial_update(self, request, pk=None):
        line = self.get_object()
        serializer = ProductLineWriteSerializer(line, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        line = services.catalogue_save(
            actor=request.user, model=ProductLine, instance=line, fields=serializer.validated_data
        )
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
        product = services.catalogue_save(actor=request.user, model=Product, fields=serializer.validated_data)
        return Response(ProductSerializer(self.get_queryset().get(pk=product.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductWriteSerializer, responses={200: ProductSerializer})
    def partial_update(self, request, pk=None):
        product = self.get_object()
        serializer = ProductWriteSerializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product = services.catalogue_save(
            actor=request.user, model=Product, instance=product, fields=serializer.validated_data
        )
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
