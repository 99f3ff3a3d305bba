"""The public side of onboarding: no sign-in."""

from django.urls import path

from dealers.views import public

app_name = "apply"
urlpatterns = [
    path("", public.ApplyView.as_view(), name="form"),
    path("<int:pk>/<str:token>/", public.ApplicationStatusView.as_view(), name="status"),
]
