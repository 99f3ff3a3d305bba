"""The lead desk: leads, the unassigned queue, the lead page, the funnel and deal registrations."""

from django.urls import path

from leads import desk_views as views

urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("unassigned/", views.UnassignedQueueView.as_view(), name="unassigned"),
    path("new/", views.LeadCreateView.as_view(), name="create"),
    path("funnel/", views.FunnelView.as_view(), name="funnel"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:pk>/assign/", views.LeadAssignView.as_view(), name="assign"),
    path("registrations/", views.RegistrationListView.as_view(), name="registrations"),
    path("registrations/<int:pk>/", views.RegistrationDetailView.as_view(), name="registration_detail"),
    path("registrations/<int:pk>/approve/", views.RegistrationApproveView.as_view(), name="registration_approve"),
    path("registrations/<int:pk>/reject/", views.RegistrationRejectView.as_view(), name="registration_reject"),
]
