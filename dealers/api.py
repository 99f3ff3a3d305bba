"""API for regions and dealers: the same selectors and services as the HQ pages."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from dealers import selectors, services
from dealers.filters import ApplicationFilterSet, DealerFilterSet, RegionFilterSet
from dealers.models import (
    Dealer,
    DealerApplication,
    DealerContact,
    DocumentType,
    QualificationDocument,
    Region,
    SelectionCriterion,
)
from dms.api.fields import ChoiceLabelField
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.parsers import JSONParser, MultiPartParser
from dms.api.viewsets import ScopedViewSet
from dms.errors import RuleViolation
from dms.validators import validate_code
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
    # The selector (``selectors.dealer_records``) prefetches regions served and contacts into lists.
    served_regions = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), many=True, required=False, source="served_region_list"
    )
    owner = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    status_display = ChoiceLabelField(Dealer.Status.choices, source="status")
    tier_display = ChoiceLabelField(Dealer.Tier.choices, source="tier")
    contacts = ContactSerializer(many=True, read_only=True, source="contact_list")

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
        extra_kwargs = {
            "latitude": {"min_value": -90, "max_value": 90},
            "longitude": {"min_value": -180, "max_value": 180},
        }


class DealerWriteSerializer(DealerSerializer):
    """What HQ sends to create or change a dealer."""

    served_regions = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), many=True, required=False
    )
    owner = serializers.PrimaryKeyRelatedField(queryset=selectors.owner_choices(), allow_null=True, required=False)
    code = serializers.CharField(max_length=20, required=False, allow_blank=True, validators=[validate_code])
    uscc = serializers.CharField(max_length=32)
    contacts = ContactSerializer(many=True, required=False)

    class Meta(DealerSerializer.Meta):
        fields = [f for f in DealerSerializer.Meta.fields if f not in ("status_display", "tier_display")]
        read_only_fields = ["id", "status", "created_at", "updated_at"]
        validators = []


# A new dealer starts in one of these; the schema describes each with its label in the reader's language.
NEW_DEALER_STATUSES = [(s, label) for s, label in Dealer.Status.choices if s in ("prospect", "onboarding", "active")]


class DealerCreateSerializer(DealerWriteSerializer):
    status = serializers.ChoiceField(choices=NEW_DEALER_STATUSES, required=False)

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

    selector = selectors.dealer_records
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

    selector = selectors.document_records
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


class ApplicationSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    regions_wanted = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Region.objects.all())
    dealer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    reviewer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    uscc = serializers.CharField(max_length=32)

    class Meta:
        model = DealerApplication
        fields = [
            "id",
            "number",
            "status",
            "source",
            "company_name",
            "legal_name",
            "uscc",
            "registered_capital",
            "founded_year",
            "regions_wanted",
            "product_lines_wanted",
            "warehouse_area",
            "sales_team_size",
            "years_in_industry",
            "current_brands",
            "channels",
            "annual_revenue_band",
            "contact_name",
            "contact_phone",
            "contact_email",
            "info_request",
            "decision_reason",
            "reviewer",
            "dealer",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "status",
            "source",
            "info_request",
            "decision_reason",
            "reviewer",
            "dealer",
            "submitted_at",
            "decided_at",
        ]
        extra_kwargs = {"contact_phone": {"validators": []}}
        validators = []


class PublicApplicationSerializer(ApplicationSerializer):
    website = serializers.CharField(required=False, allow_blank=True, write_only=True, help_text=_("Leave empty."))

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "website"]


class PublicApplicationReceiptSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_url = serializers.CharField(help_text=_("The applicant's private link to follow the application."))


class ScoreItemSerializer(serializers.Serializer):
    criterion = serializers.SlugRelatedField(slug_field="code", queryset=SelectionCriterion.objects.all())
    score = serializers.IntegerField(min_value=1, max_value=5)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ScoreSerializer(serializers.Serializer):
    scores = ScoreItemSerializer(many=True)


class ScorecardRowSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    weight = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    points = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    complete = serializers.BooleanField()
    recommendation = serializers.CharField(allow_null=True)
    reviewers = serializers.IntegerField()
    rows = ScorecardRowSerializer(many=True)


def scorecard_data(card) -> dict:
    return {
        "total": card.total,
        "complete": card.complete,
        "recommendation": card.recommendation,
        "reviewers": card.reviewers,
        "rows": [
            {"criterion": r.criterion.code, "weight": r.criterion.weight, "average": r.average, "points": r.points}
            for r in card.rows
        ],
    }


class ApproveSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=selectors.owner_choices(), required=False, allow_null=True)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150, required=False)


class ApprovedSerializer(serializers.Serializer):
    application = ApplicationSerializer()
    dealer = serializers.IntegerField()
    dealer_code = serializers.CharField()
    username = serializers.CharField()
    invitation_url = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000)


def _submit(serializer, **extra):
    data = dict(serializer.validated_data)
    data.pop("website", None)
    return services.application_submit(**extra, **data)


class PublicApplicationView(APIView):
    """Apply to become a dealer, without an account (rate-limited). Answers with the private link."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "apply"

    @extend_schema(request=PublicApplicationSerializer, responses={201: PublicApplicationReceiptSerializer}, auth=[])
    def post(self, request):
        serializer = PublicApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data.get("website"):
            return Response({"number": "", "status": "submitted", "status_url": ""}, status=status.HTTP_201_CREATED)
        application, token = _submit(serializer, source=DealerApplication.Source.API)
        return Response(
            {
                "number": application.number,
                "status": application.status,
                "status_url": services.application_access_url(application, token),
            },
            status=status.HTTP_201_CREATED,
        )


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Dealer applications for head office: enter, review with the scorecard, decide."""

    selector = selectors.application_list
    allowed_roles = HQ
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet

    @extend_schema(
        request=ApplicationSerializer, responses={201: ApplicationSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def create(self, request):
        serializer = ApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application, _token = _submit(serializer, actor=request.user, source=DealerApplication.Source.HQ)
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ScorecardSerializer})
    @action(detail=True, methods=["get"])
    def scorecard(self, request, pk=None):
        return Response(ScorecardSerializer(scorecard_data(services.application_scorecard(self.get_object()))).data)

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        application = services.application_start_review(actor=request.user, application=self.get_object())
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=ScoreSerializer, responses={200: ScorecardSerializer})
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        application = self.get_object()
        serializer = ScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scores = [
            {"criterion": item["criterion"].code, "score": item["score"], "note": item.get("note", "")}
            for item in serializer.validated_data["scores"]
        ]
        card = services.application_score(actor=request.user, application=application, scores=scores)
        return Response(ScorecardSerializer(scorecard_data(card)).data)

    @extend_schema(request=ApproveSerializer, responses={200: ApprovedSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        application = self.get_object()
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application, dealer, user, link = services.application_approve(
            actor=request.user, application=application, **serializer.validated_data
        )
        return Response(
            {
                "application": ApplicationSerializer(application).data,
                "dealer": dealer.pk,
                "dealer_code": dealer.code,
                "username": user.username,
                "invitation_url": link,
            }
        )

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        application = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_reject(
            actor=request.user, application=application, reason=serializer.validated_data["reason"]
        )
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=MessageSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        application = self.get_object()
        serializer = MessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application, _token = services.application_request_info(
            actor=request.user, application=application, message=serializer.validated_data["message"]
        )
        return Response(ApplicationSerializer(application).data)
