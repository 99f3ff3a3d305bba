"""Dealer portal pages of the dealers app, inside the ``portal`` namespace."""

from django.urls import path

from dealers.views import portal

urlpatterns = [
    path("documents/", portal.PortalDocumentsView.as_view(), name="documents"),
    path("staff/", portal.PortalStaffView.as_view(), name="staff"),
    path("staff/<int:pk>/deactivate/", portal.PortalStaffActiveView.as_view(active=False), name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", portal.PortalStaffActiveView.as_view(active=True), name="staff_reactivate"),
]
