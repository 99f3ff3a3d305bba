"""Dealer portal pages of the logistics app, inside the ``portal`` namespace."""

from django.urls import path

from logistics.views import portal as views

urlpatterns = [
    path("shipments/<int:pk>/receive/", views.ShipmentReceiveView.as_view(), name="shipment_receive"),
]
