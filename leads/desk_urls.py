"""The lead desk: leads, the unassigned queue, the lead page, the funnel and deal registrations."""

urlpatterns: list = []
