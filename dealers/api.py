"""API for regions and dealers: the same selectors and services as the HQ pages."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from dealers import selectors, services
from dealers.filters import DealerFilterSet, RegionFilterSet
from dealers.models import Dealer, DealerContact, DocumentType, QualificationDocument, Region
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.viewsets import ScopedViewSet
from dms.errors import RuleViolation
from dms.views import EVERYONE, HQ, HQ_ADMIN


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Region
        fields = ["id", "code", "parent", "level", "name", "name_en", "latitude", "longitude"]


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The region tree (GB/T 2260 codes). Everyone reads it; HQ administrators edit it."""

    selector = selectors.region_list
    allowed_roles = EVERYONE
    action_roles = {"create": HQ_ADMIN, "partial_update": HQ_ADMIN}
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet

    @extend_schema(request=RegionSerializer, responses={201: RegionSerializer})
    def create(self, request):
        serializer = RegionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = services.region_save(actor=request.user, region=None, **serializer.validated_data)
        return Response(RegionSerializer(region).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RegionSerializer, responses={200: RegionSerializer})
    def partial_update(self, request, pk=None):
        region = self.get_object()
        serializer = RegionSerializer(region, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        region = services.region_save(actor=request.user, region=region, **serializer.validated_data)
        return Response(RegionSerializer(region).data)


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealerContact
        fields = ["id", "name", "title", "phone", "email", "is_primary"]
        read_only_fields = ["id"]


class DealerSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    served_regions = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), many=True, required=False
    )
    owner = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    tier_display = serializers.CharField(source="get_tier_display", read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Dealer
        fields = [
            "id",
            "code",
            "name",
            "legal_name",
            "uscc",
            "status",
            "status_display",
            "tier",
            "tier_display",
            "region",
            "served_regions",
            "address",
            "latitude",
            "longitude",
            "owner",
            "payment_terms_days",
            "lead_capacity",
            "joined_on",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "created_at", "updated_at"]


class DealerWriteSerializer(DealerSerializer):
    """What HQ sends to create or change a dealer."""

    owner = serializers.PrimaryKeyRelatedField(queryset=selectors.owner_choices(), allow_null=True, required=False)
    code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    uscc = serializers.CharField(max_length=32)
    contacts = ContactSerializer(many=True, required=False)

    class Meta(DealerSerializer.Meta):
        fields = [f for f in DealerSerializer.Meta.fields if f not in ("status_display", "tier_display")]
        read_only_fields = ["id", "status", "created_at", "updated_at"]
        validators = []


class DealerCreateSerializer(DealerWriteSerializer):
    status = serializers.ChoiceField(
        choices=[Dealer.Status.PROSPECT, Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE], required=False
    )

    class Meta(DealerWriteSerializer.Meta):
        read_only_fields = ["id", "created_at", "updated_at"]


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Dealer.Status.choices)
    reason = serializers.CharField(max_length=500)


class TierChangeSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Dealer.Tier.choices)
    reason = serializers.CharField(max_length=500)


class DealerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Dealers in your scope. Dealer users read their own; HQ roles create, change, move status and tier."""

    selector = selectors.dealer_detail_queryset
    allowed_roles = EVERYONE
    action_roles = {
        "create": HQ,
        "partial_update": HQ,
        "change_status": HQ,
        "change_tier": HQ,
    }
    serializer_class = DealerSerializer
    filterset_class = DealerFilterSet

    @extend_schema(
        request=DealerCreateSerializer, responses={201: DealerSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def create(self, request):
        serializer = DealerCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dealer = services.dealer_create(actor=request.user, **serializer.validated_data)
        return Response(DealerSerializer(self.get_queryset().get(pk=dealer.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DealerWriteSerializer, responses={200: DealerSerializer})
    def partial_update(self, request, pk=None):
        dealer = self.get_object()
        serializer = DealerWriteSerializer(dealer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "contacts" in data:
            raise RuleViolation(_("Change contacts on the dealer page."), code="contacts_read_only", field="contacts")
        served = data.pop("served_regions", None)
        dealer = services.dealer_update(actor=request.user, dealer=dealer, served_regions=served, **data)
        return Response(DealerSerializer(self.get_queryset().get(pk=dealer.pk)).data)

    @extend_schema(request=StatusChangeSerializer, responses={200: DealerSerializer})
    @action(detail=True, methods=["post"], url_path="change-status")
    def change_status(self, request, pk=None):
        dealer = self.get_object()
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dealer = services.dealer_change_status(actor=request.user, dealer=dealer, **serializer.validated_data)
        return Response(DealerSerializer(self.get_queryset().get(pk=dealer.pk)).data)

    @extend_schema(request=TierChangeSerializer, responses={200: DealerSerializer})
    @action(detail=True, methods=["post"], url_path="change-tier")
    def change_tier(self, request, pk=None):
        dealer = self.get_object()
        serializer = TierChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dealer = services.dealer_change_tier(actor=request.user, dealer=dealer, **serializer.validated_data)
        return Response(DealerSerializer(self.get_queryset().get(pk=dealer.pk)).data)


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ["id", "code", "name", "name_en", "is_mandatory", "requires_expiry"]


class DocumentTypeViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The kinds of qualification document and which are mandatory."""

    selector = selectors.document_type_list
    allowed_roles = EVERYONE
    serializer_class = DocumentTypeSerializer
    pagination_class = None


class DocumentSerializer(serializers.ModelSerializer):
    dealer = serializers.PrimaryKeyRelatedField(read_only=True)
    doc_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = QualificationDocument
        fields = [
            "id",
            "dealer",
            "doc_type",
            "status",
            "number",
            "issued_on",
            "expires_on",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "reviewed_at",
            "rejection_reason",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, obj) -> str:
        return reverse("documents:file", args=[obj.pk])


class DocumentUploadSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    doc_type = serializers.SlugRelatedField(slug_field="code", queryset=DocumentType.objects.all())
    file = serializers.FileField()
    number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)


class DocumentRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Qualification documents of the dealers in your scope: upload (multipart), verify, reject.
    The file itself is read through ``file_url``, which checks scope again."""

    selector = selectors.document_list
    allowed_roles = EVERYONE
    action_roles = {"verify": HQ, "reject": HQ}
    serializer_class = DocumentSerializer
    filterset_fields = ["status", "dealer"]
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(request={"multipart/form-data": DocumentUploadSerializer}, responses={201: DocumentSerializer})
    def create(self, request):
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=data.pop("dealer"))
        document = services.document_upload(actor=request.user, dealer=dealer, **data)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        document = services.document_verify(actor=request.user, document=self.get_object())
        return Response(DocumentSerializer(document).data)

    @extend_schema(request=DocumentRejectSerializer, responses={200: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        document = self.get_object()
        serializer = DocumentRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_reject(actor=request.user, document=document, **serializer.validated_data)
        return Response(DocumentSerializer(document).data)
