"""Qualification document files, served after an access check."""

from django.urls import path

from dealers.views import files

app_name = "documents"
urlpatterns = [
    path("<int:pk>/file/", files.DocumentFileView.as_view(), name="file"),
]
