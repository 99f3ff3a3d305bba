"""The leads app's routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from leads.api import AssignmentRuleViewSet, DealRegistrationViewSet, LeadViewSet, PublicLeadView

router = SimpleRouter(trailing_slash=True)
router.register("leads", LeadViewSet, basename="lead")
router.register("assignment-rules", AssignmentRuleViewSet, basename="assignment-rule")
router.register("deal-registrations", DealRegistrationViewSet, basename="deal-registration")

urlpatterns = [
    path("public/leads/", PublicLeadView.as_view(), name="public-lead"),
    *router.urls,
]
