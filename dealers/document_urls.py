from django.urls import path

from dealers import document_views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/file/", document_views.DocumentFileView.as_view(), name="file"),
]
