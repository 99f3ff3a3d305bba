"""The public enquiry page: no sign-in."""

from django.urls import path

from leads import enquiry_views

app_name = "enquiry"
urlpatterns = [
    path("", enquiry_views.EnquiryView.as_view(), name="form"),
    path("thanks/", enquiry_views.EnquiryThanksView.as_view(), name="thanks"),
]
