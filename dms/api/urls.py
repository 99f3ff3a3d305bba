"""/api/v1/: every app registers its viewsets on this router."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from dms.accounts.api import ApiTokenViewSet, MeView, TokenObtainView, UserViewSet
from dms.api.viewsets import ReadsApiDocs
from dms.events.api import EventViewSet, NotificationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("users", UserViewSet, basename="user")
router.register("tokens", ApiTokenViewSet, basename="apitoken")
router.register("events", EventViewSet, basename="event")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/", SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[ReadsApiDocs]), name="docs"
    ),
    path("", include(router.urls)),
    # Each app registers its own routes; included by module path so dms never imports an app.
    path("", include("dealers.urls.api")),
    path("", include("orders.urls.api")),
    path("", include("leads.urls.api")),
    path("", include("logistics.urls.api")),
]
