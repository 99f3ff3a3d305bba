"""Head-office pages of the leads app, under /hq/leads/: the lead desk, the funnel, deal registrations,
and the setup pages (assignment rules, lead sources, imports)."""

from django.urls import path

from leads.views import hq as views

app_name = "leads"
urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("unassigned/", views.UnassignedQueueView.as_view(), name="unassigned"),
    path("new/", views.LeadCreateView.as_view(), name="create"),
    path("funnel/", views.FunnelView.as_view(), name="funnel"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:pk>/assign/", views.LeadAssignView.as_view(), name="assign"),
    path("registrations/", views.RegistrationListView.as_view(), name="registrations"),
    path("registrations/<int:pk>/", views.RegistrationDetailView.as_view(), name="registration_detail"),
    path("registrations/<int:pk>/approve/", views.RegistrationApproveView.as_view(), name="registration_approve"),
    path("registrations/<int:pk>/reject/", views.RegistrationRejectView.as_view(), name="registration_reject"),
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
