"""The dealers app's routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from dealers.api import (
    ApplicationViewSet,
    DealerViewSet,
    DocumentTypeViewSet,
    DocumentViewSet,
    PublicApplicationView,
    RegionViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("regions", RegionViewSet, basename="region")
router.register("dealers", DealerViewSet, basename="dealer")
router.register("document-types", DocumentTypeViewSet, basename="document-type")
router.register("documents", DocumentViewSet, basename="document")
router.register("dealer-applications", ApplicationViewSet, basename="dealer-application")

urlpatterns = [
    path("public/dealer-applications/", PublicApplicationView.as_view(), name="public-dealer-application"),
    *router.urls,
]
