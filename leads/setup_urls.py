"""Setup pages: assignment rules, lead sources and lead imports."""

urlpatterns: list = []
