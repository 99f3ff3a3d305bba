"""Event kinds of the dealers app."""

from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer, DealerApplication, in_reader_language
from dms.events.verbs import register

DEALER_CREATED = register(
    "dealers.dealer_created", label=_("Dealer created"), sentence=_("%(actor)s created the dealer %(target)s")
)
DEALER_UPDATED = register(
    "dealers.dealer_updated", label=_("Dealer changed"), sentence=_("%(actor)s changed the dealer %(target)s")
)


def _labels(choices):
    def values(data: dict) -> dict:
        names = dict(choices)
        return {"from_label": names.get(data.get("from"), data.get("from")), "to_label": names.get(data.get("to"))}

    return values


STATUS_CHANGED = register(
    "dealers.status_changed",
    label=_("Dealer status changed"),
    sentence=_("%(actor)s changed the status of %(target)s from %(from_label)s to %(to_label)s"),
    notifies=True,
    values=_labels(Dealer.Status.choices),
)
TIER_CHANGED = register(
    "dealers.tier_changed",
    label=_("Dealer tier changed"),
    sentence=_("%(actor)s changed the tier of %(target)s from %(from_label)s to %(to_label)s"),
    notifies=True,
    values=_labels(Dealer.Tier.choices),
)
CONTACT_CHANGED = register(
    "dealers.contact_changed",
    label=_("Dealer contacts changed"),
    sentence=_("%(actor)s changed the contacts of %(target)s"),
)


def _document_name(data: dict) -> dict:
    return {"document": in_reader_language(data.get("document_zh", ""), data.get("document_en", ""))}


DOCUMENT_UPLOADED = register(
    "dealers.document_uploaded",
    label=_("Document uploaded"),
    sentence=_("%(actor)s uploaded %(document)s for %(target)s"),
    notifies=True,
    values=_document_name,
)
DOCUMENT_VERIFIED = register(
    "dealers.document_verified",
    label=_("Document verified"),
    sentence=_("%(actor)s verified %(document)s of %(target)s"),
    notifies=True,
    values=_document_name,
)
DOCUMENT_REJECTED = register(
    "dealers.document_rejected",
    label=_("Document rejected"),
    sentence=_("%(actor)s rejected %(document)s of %(target)s"),
    notifies=True,
    values=_document_name,
)
DOCUMENT_EXPIRING = register(
    "dealers.document_expiring",
    label=_("Document expiring"),
    sentence=_("%(document)s of %(target)s expires on %(expires_on)s"),
    notifies=True,
    values=_document_name,
)
APPLICATION_SUBMITTED = register(
    "dealers.application_submitted",
    label=_("Application submitted"),
    sentence=_("%(target)s applied to become a dealer"),
)
APPLICATION_STATUS = register(
    "dealers.application_status",
    label=_("Application status changed"),
    sentence=_("%(actor)s moved the application %(target)s to %(to_label)s"),
    notifies=True,
    values=_labels(DealerApplication.Status.choices),
)
APPLICATION_SCORED = register(
    "dealers.application_scored",
    label=_("Application scored"),
    sentence=_("%(actor)s scored the application %(target)s"),
)
DOCUMENT_DUPLICATE = register(
    "dealers.document_duplicate",
    label=_("Same file at another dealer"),
    sentence=_("%(document)s uploaded for %(target)s is the same file as at %(dealers)s"),
    values=lambda data: {**_document_name(data), "dealers": "、".join(data.get("same_file_at_dealers", []))},
)
