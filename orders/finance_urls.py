"""Routes of the orders app (filled in below)."""

urlpatterns = []
