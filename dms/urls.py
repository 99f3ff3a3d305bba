"""URLs: role-based home, HQ console, dealer portal, accounts, notifications, admin, API, health probes."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from dms import search, shell, views
from dms.accounts.urls import auth_urlpatterns
from dms.events.views import EventListView

admin.site.site_header = _("DMS administration")
admin.site.site_title = "DMS"
admin.site.index_title = _("Setup and repair")

handler404 = "dms.views.page_not_found"
handler500 = "dms.views.server_error"

hq_patterns = (
    [
        path("", shell.HqHomeView.as_view(), name="home"),
        path("audit/", EventListView.as_view(), name="audit"),
        path("search/", search.HqSearchView.as_view(), name="search"),
    ],
    "hq",
)
portal_patterns = (
    [
        path("", shell.PortalHomeView.as_view(), name="home"),
        path("search/", search.PortalSearchView.as_view(), name="search"),
        path("", include("dealers.urls.portal")),
        path("", include("orders.urls.portal")),
        path("", include("leads.urls.portal")),
        path("", include("logistics.urls.portal")),
    ],
    "portal",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include(auth_urlpatterns)),
    path("", include("dms.accounts.urls")),
    path("notifications/", include("dms.events.urls")),
    path("saved-filters/", views.SavedFilterCreateView.as_view(), name="saved_filter_create"),
    path("saved-filters/<int:pk>/delete/", views.SavedFilterDeleteView.as_view(), name="saved_filter_delete"),
    path("hq/", include(hq_patterns)),
    path("hq/dealers/", include("dealers.urls.hq")),
    path("hq/", include("orders.urls.hq")),
    path("hq/leads/", include("leads.urls.hq")),
    path("hq/logistics/", include("logistics.urls.hq")),
    path("documents/", include("dealers.urls.files")),
    path("apply/", include("dealers.urls.public")),
    path("enquiry/", include("leads.urls.public")),
    path("portal/", include(portal_patterns)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("dms.api.urls", "api"))),
]
