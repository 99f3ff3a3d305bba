"""The only way to read a qualification document's file: a view that checks the reader's scope (HQ or the
dealer's own users). Files are never served from a public URL."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views import View

from dealers import selectors
from dms.views import EVERYONE, RoleRequiredMixin


class DocumentFileView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def get(self, request, pk):
        document = get_object_or_404(selectors.document_list(user=request.user), pk=pk)
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[document.content_type]
        response = FileResponse(
            handle,
            content_type=document.content_type,
            as_attachment=request.GET.get("download") == "1",
            filename=f"{document.dealer.code}-{document.doc_type.code}.{extension}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
