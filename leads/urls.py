"""Head-office pages of the leads app, under /hq/leads/: the lead desk, the funnel, deal registrations,
and the setup pages (assignment rules, lead sources, imports)."""

from django.urls import include, path

app_name = "leads"
urlpatterns = [
    path("", include("leads.desk_urls")),
    path("", include("leads.setup_urls")),
]
