"""The dealers app's routes under /api/v1/."""

from rest_framework.routers import SimpleRouter

from dealers.api import DealerViewSet, RegionViewSet

router = SimpleRouter(trailing_slash=True)
router.register("regions", RegionViewSet, basename="region")
router.register("dealers", DealerViewSet, basename="dealer")

urlpatterns = router.urls
