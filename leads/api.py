"""API for leads: the public intake for other websites, the lead list with its actions for head office
and dealers, assignment rules and deal registrations. The same selectors and services as the pages."""

from decimal import Decimal

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from dealers.models import Region
from dealers.regions import region_resolve
from dealers.selectors import dealer_in_scope
from dms.api.fields import MAX_ID
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.scoping import in_scope_or_404
from dms.api.viewsets import ScopedViewSet
from dms.errors import DomainError, PermissionDeniedError
from dms.views import DEALER, EVERYONE, HQ
from leads import selectors, services
from leads.filters import LeadFilterSet
from leads.models import (
    MAX_ACCEPT_MINUTES,
    MAX_WEIGHT,
    MIN_ACCEPT_MINUTES,
    Assignment,
    AssignmentRule,
    DealRegistration,
    FollowUp,
    Lead,
)
from orders.models import ProductLine
from orders.selectors import order_list

SOURCE_KEY_HEADER = "X-Lead-Source-Key"
# Channels a system or head office may name when it creates a lead; ``web`` is for the public doors.
SYSTEM_SOURCES = [choice for choice in Lead.Source.choices if choice[0] != Lead.Source.WEB]
CONTACT_FIELDS = ("contact_name", "phone", "email", "company", "address")


class SourceKeyMissing(DomainError):
    code = "source_key_missing"
    message = _("Send your lead source key in the X-Lead-Source-Key header.")
    status_code = 401


class SourceKeyInvalid(DomainError):
    code = "source_key_invalid"
    message = _("This lead source key is unknown or no longer active.")
    status_code = 401


class LeadIntakeSerializer(serializers.Serializer):
    """What a customer tells us, from the enquiry page, another website or a system."""

    contact_name = serializers.CharField(max_length=100)
    phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text=_("Mobile, or landline with its area code.")
    )
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    region = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text=_(
            "Region code (GB/T 2260): province, city or district. Give it, or the names below; when given, the "
            "names are not read."
        ),
    )
    province = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=_("Province name, such as 浙江省, 浙江 or Zhejiang.")
    )
    city = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=_("City name, such as 杭州市, 杭州 or Hangzhou.")
    )
    district = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=_("District or county name, such as 西湖区.")
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    product_line = serializers.SlugRelatedField(slug_field="code", queryset=ProductLine.objects.filter(is_active=True))
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    consent = serializers.BooleanField(required=False, default=False)
    consent_purpose = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("The sentence the customer agreed to; kept only when consent is true."),
    )


class LeadCreateSerializer(LeadIntakeSerializer):
    source = serializers.ChoiceField(choices=SYSTEM_SOURCES, required=False, default=Lead.Source.API)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    estimated_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, max_value=10**12 - 1, required=False, allow_null=True
    )


class LeadReceiptSerializer(serializers.Serializer):
    status = serializers.CharField(help_text=_('Always "received".'))
    received_at = serializers.DateTimeField()


class OpenAssignmentSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "dealer", "dealer_code", "dealer_name", "status", "deadline", "assigned_at"]
        read_only_fields = fields


class LeadSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.local_name", read_only=True)
    product_line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    contact_visible = serializers.BooleanField(
        read_only=True, help_text=_("False when your dealer no longer holds the lead: contact details are blank.")
    )
    assignment = serializers.SerializerMethodField(help_text=_("The open offer or acceptance, if any."))
    decision = serializers.SerializerMethodField(help_text=_("Head office only: why the dealer was chosen."))
    unassigned_reason = serializers.SerializerMethodField(help_text=_("Head office only."))

    class Meta:
        model = Lead
        fields = [
            "id",
            "number",
            "status",
            "source",
            "contact_visible",
            "contact_name",
            "phone",
            "email",
            "company",
            "region",
            "region_name",
            "address",
            "product_line",
            "estimated_value",
            "message",
            "consent",
            "consent_at",
            "consent_purpose",
            "touches",
            "last_touch_at",
            "won_amount",
            "won_order",
            "lost_reason",
            "closed_at",
            "assignment",
            "decision",
            "unassigned_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _hq(self) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_hq)

    def _open(self, obj):
        return obj.open_assignments[0] if obj.open_assignments else None

    @cached_property
    def _assignment_serializer(self) -> OpenAssignmentSerializer:
        # One for every row of a list: building a serializer's fields costs more than rendering a row.
        return OpenAssignmentSerializer()

    @extend_schema_field(OpenAssignmentSerializer(allow_null=True))
    def get_assignment(self, obj):
        assignment = self._open(obj)
        return self._assignment_serializer.to_representation(assignment) if assignment else None

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_decision(self, obj):
        if not self._hq():
            return None
        assignment = self._open(obj)
        return assignment.decision if assignment else None

    def get_unassigned_reason(self, obj) -> str | None:
        return obj.unassigned_reason if self._hq() else None

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not obj.contact_visible:
            data.update(dict.fromkeys(CONTACT_FIELDS, ""))
            data["message"] = ""
        return data


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class WonSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=10**12 - 1)
    order = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text=_("One of your own orders.")
    )


class FollowUpSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name", read_only=True, default="")
    kind = serializers.CharField(max_length=8, help_text=_("call, visit, quote or note"))

    class Meta:
        model = FollowUp
        fields = ["id", "kind", "note", "next_action_on", "dealer", "author", "author_name", "created_at"]
        read_only_fields = ["id", "dealer", "author", "author_name", "created_at"]
        extra_kwargs = {"note": {"max_length": 2000}}


class AssignSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    override_reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text=_("Needed to go past the dealer's capacity.")
    )


def _intake_data(serializer) -> dict:
    """The service's arguments: the region resolved from its code or names (422 ``region_unknown``,
    ``region_ambiguous``, ``region_mismatch`` or ``region_required``)."""
    data = dict(serializer.validated_data)
    if not data.get("consent"):
        data.pop("consent_purpose", None)
    data["region"] = region_resolve(
        code=data.pop("region", ""),
        province=data.pop("province", ""),
        city=data.pop("city", ""),
        district=data.pop("district", ""),
    )
    return data


class PublicLeadView(APIView):
    """Another website passes on a customer's enquiry, with its own key in ``X-Lead-Source-Key``
    (rate-limited). The receipt is the same whether or not the customer was already known."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "lead_intake"

    @extend_schema(
        request=LeadIntakeSerializer,
        responses={201: LeadReceiptSerializer},
        parameters=[
            OpenApiParameter(
                name=SOURCE_KEY_HEADER,
                type={"type": "string", "minLength": 1, "maxLength": 200},
                location=OpenApiParameter.HEADER,
                required=True,
                description=_("The key head office issued to your website."),
            )
        ],
        auth=[],
    )
    def post(self, request):
        key = request.headers.get(SOURCE_KEY_HEADER, "").strip()
        if not key:
            raise SourceKeyMissing()
        source = services.lead_source_authenticate(key)
        if source is None:
            raise SourceKeyInvalid()
        serializer = LeadIntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.lead_create(actor=None, source=Lead.Source.WEB, source_site=source, **_intake_data(serializer))
        return Response({"status": "received", "received_at": timezone.now()}, status=status.HTTP_201_CREATED)


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Leads in your scope. Head office enters leads and assigns them by hand; a dealer accepts or
    declines the leads offered to it. Contact details of a lead your dealer no longer holds are blank."""

    selector = selectors.leads_with_open_assignment
    allowed_roles = EVERYONE
    action_roles = {
        "create": HQ,
        "assign": HQ,
        "accept": DEALER,
        "decline": DEALER,
        "mark_won": DEALER,
        "mark_lost": DEALER,
        "follow_up_add": DEALER,
    }
    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet

    def _response(self, lead, *, created: bool = False):
        found = selectors.lead_as_seen(user=self.request.user, lead=lead, created=created)
        return Response(
            self.get_serializer(found).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def _my_offer(self, lead) -> Assignment:
        assignment = selectors.dealer_open_assignment(user=self.request.user, lead=lead)
        if assignment is None:
            raise NotFound(_("Your dealer holds no open offer of this lead."))
        return assignment

    @extend_schema(
        request=LeadCreateSerializer,
        responses={201: LeadSerializer, 200: LeadSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description=_("201 with the new lead; 200 with the existing lead when the customer is already known."),
    )
    @idempotent
    def create(self, request):
        serializer = LeadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead, created = services.lead_create(actor=request.user, **_intake_data(serializer))
        return self._response(lead, created=created)

    @extend_schema(request=None, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        lead = self.get_object()
        services.assignment_accept(actor=request.user, assignment=self._my_offer(lead))
        return self._response(lead)

    @extend_schema(request=DeclineSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        lead = self.get_object()
        assignment = self._my_offer(lead)
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assignment_decline(actor=request.user, assignment=assignment, **serializer.validated_data)
        return self._response(lead)

    @extend_schema(request=AssignSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        lead = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        dealer = in_scope_or_404(dealer_in_scope(user=request.user, dealer_id=data.pop("dealer")))
        services.lead_assign_manually(actor=request.user, lead=lead, dealer=dealer, **data)
        return self._response(lead)

    @extend_schema(request=WonSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"], url_path="mark-won")
    def mark_won(self, request, pk=None):
        lead = self.get_object()
        serializer = WonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_id = serializer.validated_data.get("order")
        order = None
        if order_id is not None:
            order = order_list(user=request.user).filter(pk=order_id).first()
            if order is None:
                raise serializers.ValidationError({"order": [_("No such order, or it is not yours.")]})
        services.lead_mark_won(actor=request.user, lead=lead, amount=serializer.validated_data["amount"], order=order)
        return self._response(lead)

    @extend_schema(request=DeclineSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"], url_path="mark-lost")
    def mark_lost(self, request, pk=None):
        lead = self.get_object()
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.lead_mark_lost(actor=request.user, lead=lead, **serializer.validated_data)
        return self._response(lead)

    @extend_schema(request=None, responses={200: FollowUpSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="follow-ups", pagination_class=None)
    def follow_ups(self, request, pk=None):
        """The follow-ups of the lead; a dealer sees its own dealer's only."""
        lead = self.get_object()
        logged = lead.follow_ups.select_related("author")
        if request.user.is_dealer_user:
            logged = logged.filter(dealer_id=request.user.dealer_id)
        return Response(FollowUpSerializer(logged, many=True).data)

    @extend_schema(request=FollowUpSerializer, responses={201: FollowUpSerializer})
    @follow_ups.mapping.post
    def follow_up_add(self, request, pk=None):
        """Log a call, visit, quote or note on a lead your dealer accepted."""
        lead = self.get_object()
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = services.follow_up_add(actor=request.user, lead=lead, **serializer.validated_data)
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)


# Assignment rules -------------------------------------------------------------------------------


class ManagesRouting(BasePermission):
    """Writes to assignment rules need ``manage_lead_routing`` (HQ administrators hold it)."""

    message = PermissionDeniedError.message

    def has_permission(self, request, view) -> bool:
        return view.action in ("list", "retrieve") or selectors.can_manage_routing(request.user)


class AssignmentRuleSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region.code",
        read_only=True,
        default=None,
        allow_null=True,
        help_text=_("Region code; null applies everywhere."),
    )
    region_name = serializers.CharField(source="region.local_name", read_only=True, default=None, allow_null=True)
    product_line = serializers.CharField(
        source="product_line.code",
        read_only=True,
        default=None,
        allow_null=True,
        help_text=_("Product line code; null applies to every line."),
    )

    class Meta:
        model = AssignmentRule
        fields = [
            "id",
            "name",
            "region",
            "region_name",
            "product_line",
            "strategy",
            "accept_minutes",
            "weight_tier",
            "weight_distance",
            "weight_load",
            "weight_fairness",
            "priority",
            "is_active",
        ]
        read_only_fields = fields


class AssignmentRuleWriteSerializer(serializers.ModelSerializer):
    """A rule ranks the candidates for leads in a region's subtree and/or of a product line; the most
    specific active rule wins, then the lower priority number."""

    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.exclude(level=Region.Level.COUNTRY),
        required=False,
        allow_null=True,
        help_text=_("Region code (province, city or district); null or absent for everywhere."),
    )
    product_line = serializers.SlugRelatedField(
        slug_field="code", queryset=ProductLine.objects.all(), required=False, allow_null=True
    )
    accept_minutes = serializers.IntegerField(
        min_value=MIN_ACCEPT_MINUTES,
        max_value=MAX_ACCEPT_MINUTES,
        required=False,
        help_text=_("Minutes the dealer has to accept an offer: 5 minutes to 30 days."),
    )
    weight_tier = serializers.IntegerField(min_value=0, max_value=MAX_WEIGHT, required=False)
    weight_distance = serializers.IntegerField(min_value=0, max_value=MAX_WEIGHT, required=False)
    weight_load = serializers.IntegerField(min_value=0, max_value=MAX_WEIGHT, required=False)
    weight_fairness = serializers.IntegerField(min_value=0, max_value=MAX_WEIGHT, required=False)
    priority = serializers.IntegerField(
        min_value=0,
        max_value=services.MAX_PRIORITY,
        required=False,
        help_text=_("Lower wins among equally specific rules."),
    )

    class Meta:
        model = AssignmentRule
        fields = list(services.RULE_FIELDS)
        extra_kwargs = {"name": {"max_length": 100}}


class AssignmentRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Assignment rules. Head office reads them; changing them needs the lead routing permission. A
    weighted rule needs a weight above zero; the same scope and priority twice among active rules is
    refused (``rule_scope_taken``)."""

    selector = selectors.rule_list
    allowed_roles = HQ
    serializer_class = AssignmentRuleSerializer

    def get_permissions(self):
        return [*super().get_permissions(), ManagesRouting()]

    def _response(self, rule, status_code=status.HTTP_200_OK):
        return Response(AssignmentRuleSerializer(self.get_queryset().get(pk=rule.pk)).data, status=status_code)

    @extend_schema(request=AssignmentRuleWriteSerializer, responses={201: AssignmentRuleSerializer})
    def create(self, request):
        serializer = AssignmentRuleWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = services.rule_create(actor=request.user, **serializer.validated_data)
        return self._response(rule, status.HTTP_201_CREATED)

    @extend_schema(request=AssignmentRuleWriteSerializer, responses={200: AssignmentRuleSerializer})
    def partial_update(self, request, pk=None):
        rule = self.get_object()
        serializer = AssignmentRuleWriteSerializer(rule, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = services.rule_update(actor=request.user, rule=rule, **serializer.validated_data)
        return self._response(rule)


# Deal registrations (报备) ---------------------------------------------------------------------------


CLASH_KINDS = [("lead", _("lead")), ("registration", _("deal registration"))]


class ClashSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CLASH_KINDS)
    id = serializers.IntegerField()
    status = serializers.CharField()
    dealer = serializers.IntegerField(required=False, help_text=_("The registering dealer, for a registration."))


class DealRegistrationSerializer(serializers.ModelSerializer):
    number = serializers.SerializerMethodField()
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    product_line = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # Not read-only in the schema on purpose: a read-only field is always listed as present, and dealers
    # never get this one. The serializer is only used for responses.
    clashes = serializers.ListField(
        child=ClashSerializer(),
        required=False,
        help_text=_("Head office only: open leads and registrations of the same customer when it was submitted."),
    )

    class Meta:
        model = DealRegistration
        fields = [
            "id",
            "number",
            "dealer",
            "dealer_code",
            "dealer_name",
            "customer_company",
            "customer_uscc",
            "customer_phone",
            "product_line",
            "expected_value",
            "expected_close_on",
            "status",
            "clashes",
            "protected_until",
            "decision_reason",
            "decided_at",
            "created_at",
        ]
        read_only_fields = [field for field in fields if field != "clashes"]

    def get_number(self, obj) -> str:
        return f"R{obj.pk:06d}"

    def to_representation(self, obj):
        data = super().to_representation(obj)
        request = self.context.get("request")
        if not (request and request.user.is_hq):
            data.pop("clashes", None)
        return data


class RegistrationCreateSerializer(serializers.Serializer):
    customer_company = serializers.CharField(max_length=200)
    customer_uscc = serializers.CharField(
        max_length=18, required=False, allow_blank=True, help_text=_("Unified social credit code, if known.")
    )
    customer_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    product_line = serializers.SlugRelatedField(slug_field="code", queryset=ProductLine.objects.filter(is_active=True))
    expected_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=10**12 - 1
    )
    expected_close_on = serializers.DateField()


class RegistrationApproveSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=services.MAX_PROTECTION_DAYS,
        required=False,
        allow_null=True,
        help_text=_("Days of protection; the default period when absent."),
    )


class DealRegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Deal registrations (报备): a dealer registers its own opportunity, head office approves it (the
    customer is then protected for the dealer) or rejects it with a reason. Dealers see their own only,
    without the clashes. Refusals: ``customer_protected``, ``line_not_authorized``, ``close_date_past``,
    ``invalid_transition``, ``reason_required``, ``invalid_days``."""

    selector = selectors.registration_list
    allowed_roles = EVERYONE
    action_roles = {"create": DEALER, "approve": HQ, "reject": HQ}
    serializer_class = DealRegistrationSerializer

    def _response(self, registration, status_code=status.HTTP_200_OK):
        found = self.get_queryset().get(pk=registration.pk)
        return Response(self.get_serializer(found).data, status=status_code)

    @extend_schema(
        request=RegistrationCreateSerializer,
        responses={201: DealRegistrationSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def create(self, request):
        serializer = RegistrationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_submit(actor=request.user, **serializer.validated_data)
        return self._response(registration, status.HTTP_201_CREATED)

    @extend_schema(request=RegistrationApproveSerializer, responses={200: DealRegistrationSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        registration = self.get_object()
        serializer = RegistrationApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.registration_approve(
            actor=request.user, registration=registration, days=serializer.validated_data.get("days")
        )
        return self._response(registration)

    @extend_schema(request=DeclineSerializer, responses={200: DealRegistrationSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        registration = self.get_object()
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.registration_reject(actor=request.user, registration=registration, **serializer.validated_data)
        return self._response(registration)
