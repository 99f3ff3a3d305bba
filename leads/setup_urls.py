"""Setup pages: assignment rules, lead sources and lead imports."""

from django.urls import path

from leads import setup_views as views

urlpatterns = [
    path("import/", views.LeadImportView.as_view(), name="import"),
    path("import/template/", views.LeadImportTemplateView.as_view(), name="import_template"),
    path("imports/", views.LeadImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views.LeadImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/errors.csv", views.LeadImportErrorsView.as_view(), name="import_errors"),
    path("rules/", views.RuleListView.as_view(), name="rules"),
    path("rules/new/", views.RuleCreateView.as_view(), name="rule_create"),
    path("rules/<int:pk>/edit/", views.RuleEditView.as_view(), name="rule_edit"),
    path("rules/<int:pk>/deactivate/", views.RuleDeactivateView.as_view(), name="rule_deactivate"),
    path("sources/", views.SourceListView.as_view(), name="sources"),
    path("sources/new/", views.SourceCreateView.as_view(), name="source_create"),
    path("sources/<int:pk>/rotate/", views.SourceRotateView.as_view(), name="source_rotate"),
    path("sources/<int:pk>/deactivate/", views.SourceDeactivateView.as_view(), name="source_deactivate"),
]
