"""Qualification document files: the default types, and checking an upload by its content."""

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dms.errors import RuleViolation

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
EXPIRY_THRESHOLDS = (30, 7, 0)

DEFAULT_TYPES = [
    # code, Chinese name, English name, mandatory, has an expiry date
    ("business_licence", "营业执照", "Business licence", True, True),
    ("authorisation_letter", "授权书", "Brand authorisation letter", True, True),
    ("tax_registration", "税务登记证", "Tax registration", False, True),
    ("legal_representative_id", "法定代表人身份证", "Legal representative ID", False, True),
    ("dealer_contract", "经销合同", "Signed dealer contract", True, True),
]

# Leading bytes of the formats we accept; the file name and the browser's claimed type are ignored.
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
]


class UnsupportedFile(RuleViolation):
    code = "file_type_not_allowed"
    message = _("Upload a PDF, JPEG or PNG file.")


class FileTooLarge(RuleViolation):
    code = "file_too_large"
    message = _("The file is larger than 10 MB.")


class EmptyFile(RuleViolation):
    code = "file_empty"
    message = _("The file is empty.")


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def ensure_default_types(document_type_model) -> None:
    for position, (code, name, name_en, mandatory, expiry) in enumerate(DEFAULT_TYPES):
        document_type_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "is_mandatory": mandatory,
                "requires_expiry": expiry,
                "position": position,
            },
        )


def check_upload(uploaded) -> CheckedFile:
    """Accept a PDF, JPEG or PNG of at most 10 MB, judged by its bytes; images must also decode."""
    size = uploaded.size
    if not size:
        raise EmptyFile(field="file")
    if size > MAX_DOCUMENT_BYTES:
        raise FileTooLarge(field="file")
    uploaded.seek(0)
    head = uploaded.read(16)
    match = next(((kind, ext) for magic, kind, ext in SIGNATURES if head.startswith(magic)), None)
    if match is None:
        raise UnsupportedFile(field="file")
    content_type, extension = match
    uploaded.seek(0)
    if content_type != "application/pdf":
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(uploaded) as image:
                image.verify()
        except (Image.DecompressionBombError, UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise UnsupportedFile(_("The image file is damaged."), field="file") from exc
        uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedFile(content_type=content_type, extension=extension, size=size, sha256=digest.hexdigest())
