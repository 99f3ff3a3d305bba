"""The dealers app's routes under /api/v1/."""

from rest_framework.routers import SimpleRouter

from dealers.api import DealerViewSet, DocumentTypeViewSet, DocumentViewSet, RegionViewSet

router = SimpleRouter(trailing_slash=True)
router.register("regions", RegionViewSet, basename="region")
router.register("dealers", DealerViewSet, basename="dealer")
router.register("document-types", DocumentTypeViewSet, basename="document-type")
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = router.urls
