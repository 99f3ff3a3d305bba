"""HQ console routes of the dealers app, mounted under /hq/dealers/."""

from django.urls import path

from dealers import pickers
from dealers.views import hq

app_name = "dealers"
urlpatterns = [
    path("", hq.DealerListView.as_view(), name="list"),
    path("pickers/dealers/", pickers.DealerPicker.as_view(), name="picker_dealers"),
    path("pickers/regions/", pickers.RegionPicker.as_view(), name="picker_regions"),
    path("pickers/owners/", pickers.OwnerPicker.as_view(), name="picker_owners"),
    path("new/", hq.DealerCreateView.as_view(), name="create"),
    path("import/", hq.DealerImportView.as_view(), name="import"),
    path("documents/", hq.DocumentQueueView.as_view(), name="document_queue"),
    path("<int:pk>/", hq.DealerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", hq.DealerEditView.as_view(), name="edit"),
    path("<int:pk>/status/", hq.DealerStatusView.as_view(), name="change_status"),
    path("<int:pk>/tier/", hq.DealerTierView.as_view(), name="change_tier"),
    path("<int:pk>/contacts/", hq.ContactAddView.as_view(), name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/remove/", hq.ContactRemoveView.as_view(), name="contact_remove"),
    path("applications/", hq.ApplicationListView.as_view(), name="application_list"),
    path("applications/new/", hq.ApplicationCreateView.as_view(), name="application_create"),
    path("applications/<int:pk>/", hq.ApplicationDetailView.as_view(), name="application_detail"),
    *[
        path(
            f"applications/<int:pk>/{action.replace('_', '-')}/",
            hq.ApplicationActionView.as_view(action=action),
            name=f"application_{action}",
        )
        for action in ("start_review", "score", "request_info", "reject", "approve")
    ],
    path("<int:pk>/documents/upload/", hq.HqDocumentUploadView.as_view(), name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/verify/",
        hq.DocumentReviewView.as_view(decision="verify"),
        name="document_verify",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/reject/",
        hq.DocumentReviewView.as_view(decision="reject"),
        name="document_reject",
    ),
    # The tabs of the dealer page besides the overview: orders, credit, leads, documents ... (dealers.sections)
    path("<int:pk>/<slug:key>/", hq.DealerSectionView.as_view(), name="section"),
]
