from django.urls import path

from dealers import application_views, document_views, import_views, views

app_name = "dealers"
urlpatterns = [
    path("", views.DealerListView.as_view(), name="list"),
    path("new/", views.DealerCreateView.as_view(), name="create"),
    path("import/", import_views.DealerImportView.as_view(), name="import"),
    path("<int:pk>/", views.DealerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.DealerEditView.as_view(), name="edit"),
    path("<int:pk>/status/", views.DealerStatusView.as_view(), name="change_status"),
    path("<int:pk>/tier/", views.DealerTierView.as_view(), name="change_tier"),
    path("<int:pk>/contacts/", views.ContactAddView.as_view(), name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/remove/", views.ContactRemoveView.as_view(), name="contact_remove"),
    path("applications/", application_views.ApplicationListView.as_view(), name="application_list"),
    path("applications/new/", application_views.ApplicationCreateView.as_view(), name="application_create"),
    path("applications/<int:pk>/", application_views.ApplicationDetailView.as_view(), name="application_detail"),
    *[
        path(
            f"applications/<int:pk>/{action.replace('_', '-')}/",
            application_views.ApplicationActionView.as_view(action=action),
            name=f"application_{action}",
        )
        for action in ("start_review", "score", "request_info", "reject", "approve")
    ],
    path("<int:pk>/documents/", document_views.HqDocumentUploadView.as_view(), name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/verify/",
        document_views.DocumentReviewView.as_view(decision="verify"),
        name="document_verify",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/reject/",
        document_views.DocumentReviewView.as_view(decision="reject"),
        name="document_reject",
    ),
]
