"""The public side of onboarding: no sign-in."""

from django.urls import path

from dealers import application_views

app_name = "apply"
urlpatterns = [
    path("", application_views.ApplyView.as_view(), name="form"),
    path("<int:pk>/<str:token>/", application_views.ApplicationStatusView.as_view(), name="status"),
]
