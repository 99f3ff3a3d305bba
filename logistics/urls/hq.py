from django.urls import path

from logistics.views import claims, files, fleet, freight, kpis, plans, shipments

app_name = "logistics"

urlpatterns = [
    path("carriers/", fleet.CarrierListView.as_view(), name="carriers"),
    path("carriers/<int:pk>/", fleet.CarrierDetailView.as_view(), name="carrier_detail"),
    path("vehicles/", fleet.VehicleListView.as_view(), name="vehicles"),
    path("shipments/", shipments.ShipmentListView.as_view(), name="shipments"),
    path("kpis/", kpis.ShipmentKpiView.as_view(), name="kpis"),
    path("shipments/<int:pk>/", shipments.ShipmentDetailView.as_view(), name="shipment_detail"),
    path("shipments/<int:pk>/dispatch/", shipments.ShipmentDispatchView.as_view(), name="shipment_dispatch"),
    path("shipments/<int:pk>/deliver/", shipments.ShipmentDeliverView.as_view(), name="shipment_deliver"),
    path("shipments/<int:pk>/track/", shipments.ShipmentTrackView.as_view(), name="shipment_track"),
    path("shipments/<int:pk>/cancel/", shipments.ShipmentCancelView.as_view(), name="shipment_cancel"),
    path("shipments/<int:pk>/charge/", shipments.ShipmentChargeView.as_view(), name="shipment_charge"),
    path("freight/import/", freight.FreightImportView.as_view(), name="freight_import"),
    path("shipments/<int:pk>/delivery-note/", files.DeliveryNoteView.as_view(), name="shipment_photo"),
    path("shipments/<int:pk>/claim/", claims.ShipmentClaimView.as_view(), name="shipment_claim"),
    path("claims/", claims.ClaimListView.as_view(), name="claims"),
    path("claims/<int:pk>/", claims.ClaimDetailView.as_view(), name="claim_detail"),
    path("claims/<int:pk>/resolve/", claims.ClaimResolveView.as_view(), name="claim_resolve"),
    path("claims/<int:pk>/photo/", files.ClaimPhotoView.as_view(), name="claim_photo"),
    path("orders/<int:order_pk>/ship/", shipments.ShipmentPlanView.as_view(), name="shipment_plan"),
    path("plans/", plans.PlanListView.as_view(), name="plans"),
    path("plans/new/", plans.PlanRequestView.as_view(), name="plan_request"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/reoptimise/", plans.PlanReoptimiseView.as_view(), name="plan_reoptimise"),
    path("plans/<int:pk>/dispatch/", plans.PlanDispatchView.as_view(), name="plan_dispatch"),
    path("plans/<int:pk>/move-stop/", plans.PlanMoveStopView.as_view(), name="plan_move_stop"),
    path("plans/<int:pk>/lock-route/", plans.PlanLockRouteView.as_view(), name="plan_lock_route"),
    path("routes/<int:pk>/sheet/", plans.RouteSheetView.as_view(), name="route_sheet"),
    path("routes/<int:pk>/driver/", plans.DriverRouteView.as_view(), name="route_driver"),
]
