"""Dealer portal pages of the leads app, inside the ``portal`` namespace: the lead inbox, the pipeline
and deal registrations."""

from django.urls import path

from leads.views import portal as views

urlpatterns = [
    path("leads/", views.InboxView.as_view(), name="leads"),
    path("leads/pipeline/", views.PipelineView.as_view(), name="lead_pipeline"),
    path("leads/figures/", views.LeadStatsView.as_view(), name="lead_stats"),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="lead_detail"),
    path("leads/<int:pk>/accept/", views.LeadAcceptView.as_view(), name="lead_accept"),
    path("leads/<int:pk>/decline/", views.LeadDeclineView.as_view(), name="lead_decline"),
    path("leads/<int:pk>/follow-ups/", views.LeadFollowUpView.as_view(), name="lead_follow_up"),
    path("leads/<int:pk>/qualify/", views.LeadQualifyView.as_view(), name="lead_qualify"),
    path("leads/<int:pk>/won/", views.LeadWonView.as_view(), name="lead_won"),
    path("leads/<int:pk>/lost/", views.LeadLostView.as_view(), name="lead_lost"),
    path("registrations/", views.RegistrationListView.as_view(), name="registrations"),
    path("registrations/new/", views.RegistrationCreateView.as_view(), name="registration_create"),
    path("registrations/<int:pk>/", views.RegistrationDetailView.as_view(), name="registration_detail"),
]
