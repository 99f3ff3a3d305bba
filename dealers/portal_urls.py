"""Dealer portal pages of the dealers app, inside the ``portal`` namespace."""

from django.urls import path

from dealers import document_views, staff_views

urlpatterns = [
    path("documents/", document_views.PortalDocumentsView.as_view(), name="documents"),
    path("staff/", staff_views.PortalStaffView.as_view(), name="staff"),
    path(
        "staff/<int:pk>/deactivate/", staff_views.PortalStaffActiveView.as_view(active=False), name="staff_deactivate"
    ),
    path("staff/<int:pk>/reactivate/", staff_views.PortalStaffActiveView.as_view(active=True), name="staff_reactivate"),
]
