"""The public enquiry page: no sign-in."""

from django.urls import path

from leads.views import public as views

app_name = "enquiry"
urlpatterns = [
    path("", views.EnquiryView.as_view(), name="form"),
    path("thanks/", views.EnquiryThanksView.as_view(), name="thanks"),
]
