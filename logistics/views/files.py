"""The only way to read a claim's photo or a shipment's signed delivery note: views that find the record through
the reader's scope (head office in its territory here, the dealer's own users in the portal). Files are never
served from a public URL."""

from django.shortcuts import get_object_or_404
from django.views import View

from dms.files import private_file_response
from dms.views import DEALER, HQ, RoleRequiredMixin
from logistics import selectors


class ScopedFileView(RoleRequiredMixin, View):
    abstract = True
    selector = None
    file_field = ""
    type_field = ""

    def get(self, request, pk):
        records = type(self).selector(user=request.user).exclude(**{self.file_field: ""})
        record = get_object_or_404(records, pk=pk)
        return private_file_response(
            getattr(record, self.file_field),
            content_type=getattr(record, self.type_field),
            name=record.number,
            download=request.GET.get("download") == "1",
        )


class ClaimPhotoView(ScopedFileView):
    allowed_roles = HQ
    selector = selectors.claim_list
    file_field, type_field = "photo", "photo_type"


class PortalClaimPhotoView(ClaimPhotoView):
    allowed_roles = DEALER


class DeliveryNoteView(ScopedFileView):
    allowed_roles = HQ
    selector = selectors.shipments_in_scope
    file_field, type_field = "delivery_photo", "delivery_photo_type"


class PortalDeliveryNoteView(DeliveryNoteView):
    allowed_roles = DEALER
