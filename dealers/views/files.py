"""The only way to read a qualification document's file: a view that checks the reader's scope (HQ or the
dealer's own users). Files are never served from a public URL."""

from django.shortcuts import get_object_or_404
from django.views import View

from dealers import selectors
from dms.files import private_file_response
from dms.views import EVERYONE, RoleRequiredMixin


class DocumentFileView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def get(self, request, pk):
        document = get_object_or_404(selectors.document_list(user=request.user), pk=pk)
        return private_file_response(
            document.file,
            content_type=document.content_type,
            name=f"{document.dealer.code}-{document.doc_type.code}",
            download=request.GET.get("download") == "1",
        )
