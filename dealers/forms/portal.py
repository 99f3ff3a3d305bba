"""Dealer portal forms: qualification document upload (also offered to HQ on the dealer page) and staff
invitations. Shape only; type and size are judged by the service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.models import DocumentType
from dms.forms import BootstrapFormMixin


class DocumentUploadForm(BootstrapFormMixin, forms.Form):
    doc_type = forms.ModelChoiceField(label=_("Document type"), queryset=DocumentType.objects.all())
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class StaffInviteForm(BootstrapFormMixin, forms.Form):
    username = forms.RegexField(label=_("Username"), regex=r"^[\w.@+-]+\Z", max_length=150)
    first_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
