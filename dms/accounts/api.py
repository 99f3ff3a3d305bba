"""API for users, the signed-in user, and API tokens."""

from django.apps import apps
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from dms.accounts import selectors, services
from dms.accounts.authentication import TokenAuthentication
from dms.accounts.filters import UserFilterSet
from dms.accounts.models import ApiToken, Role, User
from dms.api.fields import MAX_ID, ChoiceLabelField
from dms.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from dms.api.viewsets import ScopedViewSet
from dms.errors import DomainError
from dms.views import EVERYONE, HQ_ADMIN


class UserSerializer(serializers.ModelSerializer):
    dealer = serializers.IntegerField(
        source="dealer_id", allow_null=True, required=False, min_value=1, max_value=MAX_ID
    )
    role_display = ChoiceLabelField(Role.choices, source="role")
    regions = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=apps.get_model("dealers", "Region").objects.all(),
        help_text=_("Codes of the regions a head-office user covers."),
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "role_display",
            "dealer",
            "regions",
            "sees_all_without_regions",
            "language",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["id", "is_active", "last_login", "date_joined"]


class UserCreateSerializer(UserSerializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=128)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "password"]
        extra_kwargs = {"role": {"required": True}}


class UserUpdateSerializer(UserSerializer):
    class Meta(UserSerializer.Meta):
        read_only_fields = [*UserSerializer.Meta.read_only_fields, "username"]


class DeactivateSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Users, for HQ administrators: list, create with a role, change, deactivate."""

    selector = selectors.user_list
    allowed_roles = HQ_ADMIN
    serializer_class = UserSerializer
    filterset_class = UserFilterSet

    def get_serializer_class(self):
        if self.action == "create":
            return UserCreateSerializer
        if self.action == "partial_update":
            return UserUpdateSerializer
        return UserSerializer

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer}, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def create(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(actor=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateSerializer, responses={200: UserSerializer})
    def partial_update(self, request, pk=None):
        user = self.get_object()
        serializer = UserUpdateSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(actor=request.user, user=user, **serializer.validated_data)
        return Response(UserSerializer(user).data)

    @extend_schema(request=DeactivateSerializer, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = self.get_object()
        serializer = DeactivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_set_active(actor=request.user, user=user, active=False, **serializer.validated_data)
        return Response(UserSerializer(user).data)

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        user = services.user_set_active(actor=request.user, user=self.get_object(), active=True)
        return Response(UserSerializer(user).data)


class MeView(APIView):
    """The signed-in user."""

    @extend_schema(responses={200: UserSerializer})
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class ApiTokenSerializer(serializers.ModelSerializer):
    is_usable = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "is_usable"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    # Whitespace is left for the service, which refuses a blank name as a business rule.
    name = serializers.CharField(max_length=100, trim_whitespace=False)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=366, required=False)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text=_("Shown once; only its hash is stored."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Your own API tokens: list, create (the key is shown once), revoke."""

    selector = selectors.token_list
    allowed_roles = EVERYONE
    serializer_class = ApiTokenSerializer

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        # A token must not mint its own successor: a leaked key would outlive its revocation.
        if isinstance(request.successful_authenticator, TokenAuthentication):
            raise SignInRequired()
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.token_create(user=request.user, **serializer.validated_data)
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ApiTokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.token_revoke(actor=request.user, token=self.get_object())
        return Response(ApiTokenSerializer(token).data)


class SignInRequired(DomainError):
    code = "sign_in_required"
    message = _("Create tokens with a password: sign in, or use POST /api/v1/auth/token/.")
    status_code = 403


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False)


class LockedOut(DomainError):
    code = "locked_out"
    message = _("Too many failed sign-in attempts. Try again later.")
    status_code = 403


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    message = _("The username or password is not correct.")
    status_code = 401


class TokenObtainView(APIView):
    """Exchange a username and password for an API token: ``{"token": ..., "expires": ...}``."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenObtainSerializer,
        responses={
            200: inline_serializer(
                "TokenObtained", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
            )
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            raise LockedOut()
        if user is None:
            raise InvalidCredentials()
        name = serializer.validated_data.get("name") or _("Signed in through the API")
        token, key = services.token_create(user=user, name=str(name))
        return Response({"token": key, "expires": token.expires_at})
