"""The logistics app's routes under /api/v1/."""

from rest_framework.routers import SimpleRouter

from logistics.api import CarrierViewSet, DeliveryPlanViewSet, RateCardViewSet, ShipmentViewSet, VehicleViewSet

router = SimpleRouter(trailing_slash=True)
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("rate-cards", RateCardViewSet, basename="rate-card")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("delivery-plans", DeliveryPlanViewSet, basename="delivery-plan")

urlpatterns = router.urls
