"""Dealer portal pages of the dealers app, inside the ``portal`` namespace."""

from django.urls import path

from dealers import document_views

urlpatterns = [
    path("documents/", document_views.PortalDocumentsView.as_view(), name="documents"),
]
