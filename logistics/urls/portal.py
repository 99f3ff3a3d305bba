"""Dealer portal pages of the logistics app, inside the ``portal`` namespace."""

from django.urls import path

from logistics.views import files, kpis
from logistics.views import portal as views

urlpatterns = [
    path("shipments/<int:pk>/receive/", views.ShipmentReceiveView.as_view(), name="shipment_receive"),
    path("shipments/<int:pk>/delivery-note/", files.PortalDeliveryNoteView.as_view(), name="shipment_photo"),
    path("shipments/<int:pk>/claim/", views.ShipmentClaimView.as_view(), name="shipment_claim"),
    path("claims/<int:pk>/photo/", files.PortalClaimPhotoView.as_view(), name="claim_photo"),
    path("deliveries/kpis/", kpis.DealerKpiView.as_view(), name="delivery_kpis"),
]
