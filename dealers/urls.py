from django.urls import path

from dealers import document_views, views

app_name = "dealers"
urlpatterns = [
    path("", views.DealerListView.as_view(), name="list"),
    path("new/", views.DealerCreateView.as_view(), name="create"),
    path("<int:pk>/", views.DealerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.DealerEditView.as_view(), name="edit"),
    path("<int:pk>/status/", views.DealerStatusView.as_view(), name="change_status"),
    path("<int:pk>/tier/", views.DealerTierView.as_view(), name="change_tier"),
    path("<int:pk>/contacts/", views.ContactAddView.as_view(), name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/remove/", views.ContactRemoveView.as_view(), name="contact_remove"),
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
