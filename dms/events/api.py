"""API for the event log (audit trail) and the signed-in user's notifications."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from dms.api.viewsets import ScopedReadOnlyViewSet
from dms.events import selectors, services, verbs
from dms.events.filters import EventFilterSet, NotificationFilterSet
from dms.events.models import Event, Notification
from dms.views import EVERYONE


def _reader(serializer):
    request = serializer.context.get("request")
    return request.user if request is not None else None


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    target_type = serializers.SerializerMethodField()
    label = serializers.CharField(read_only=True)
    sentence = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "created_at",
            "verb",
            "label",
            "sentence",
            "actor",
            "target_type",
            "target_id",
            "target_repr",
            "dealer_id",
            "data",
        ]
        read_only_fields = fields

    def get_actor(self, obj) -> str | None:
        """The actor's username; a dealer's client reads head office's name instead of its usernames."""
        if obj.actor is None:
            return None
        reader = _reader(self)
        if reader is not None and reader.is_dealer_user and obj.actor.dealer_id != reader.dealer_id:
            return verbs.head_office()
        return obj.actor.username

    def get_sentence(self, obj) -> str:
        return verbs.describe(obj, viewer=_reader(self))

    def get_target_type(self, obj) -> str:
        return f"{obj.target_type.app_label}.{obj.target_type.model}"


class EventViewSet(ScopedReadOnlyViewSet):
    """The audit trail: what happened, to which object, by whom; scoped to what you may see."""

    selector = selectors.event_list
    allowed_roles = EVERYONE
    serializer_class = EventSerializer
    filterset_class = EventFilterSet


class NotificationSerializer(serializers.ModelSerializer):
    verb = serializers.CharField(source="event.verb", read_only=True)
    sentence = serializers.SerializerMethodField()
    target_type = serializers.SerializerMethodField()
    target_id = serializers.CharField(source="event.target_id", read_only=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "created_at", "verb", "sentence", "target_type", "target_id", "is_read", "read_at"]
        read_only_fields = fields

    def get_sentence(self, obj) -> str:
        return verbs.describe(obj.event, viewer=_reader(self))

    def get_target_type(self, obj) -> str:
        content_type = obj.event.target_type
        return f"{content_type.app_label}.{content_type.model}"


class NotificationViewSet(ScopedReadOnlyViewSet):
    """Your notifications, newest first; mark one or all as read."""

    selector = selectors.notification_list
    allowed_roles = EVERYONE
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("event__target_type")

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(user=request.user, notification=self.get_object())
        return Response(NotificationSerializer(notification, context=self.get_serializer_context()).data)

    @extend_schema(
        request=None, responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})}
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
