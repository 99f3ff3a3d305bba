"""Dealer portal pages of the leads app, inside the ``portal`` namespace: the lead inbox, the pipeline
and deal registrations."""

urlpatterns: list = []
