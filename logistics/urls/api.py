"""The logistics app's routes under /api/v1/."""

from rest_framework.routers import SimpleRouter

from logistics.api.claims import DeliveryClaimViewSet
from logistics.api.fleet import CarrierViewSet, RateCardViewSet, VehicleViewSet
from logistics.api.plans import DeliveryPlanViewSet
from logistics.api.shipments import ShipmentViewSet

router = SimpleRouter(trailing_slash=True)
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("rate-cards", RateCardViewSet, basename="rate-card")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("delivery-plans", DeliveryPlanViewSet, basename="delivery-plan")
router.register("delivery-claims", DeliveryClaimViewSet, basename="delivery-claim")

urlpatterns = router.urls
