"""Event kinds of the leads app."""

from django.utils.translation import gettext_lazy as _

from dms.events.verbs import register
from leads.models import Lead

LEAD_CREATED = register(
    "leads.lead_created", label=_("Lead received"), sentence=_("%(actor)s received the lead %(target)s")
)
LEAD_TOUCHED = register(
    "leads.lead_touched",
    label=_("Customer asked again"),
    sentence=_("The customer of %(target)s asked again"),
    notifies=True,
)
LEAD_ASSIGNED = register(
    "leads.lead_assigned",
    label=_("Lead assigned"),
    sentence=_("%(actor)s assigned the lead %(target)s to %(dealer)s"),
    notifies=True,
)
LEAD_UNASSIGNED = register(
    "leads.lead_unassigned",
    label=_("Lead left unassigned"),
    sentence=_("The lead %(target)s found no dealer: %(reason_label)s"),
    values=lambda data: {"reason_label": dict(Lead.UnassignedReason.choices).get(data.get("reason"), "")},
)
LEAD_ACCEPTED = register(
    "leads.lead_accepted", label=_("Lead accepted"), sentence=_("%(actor)s accepted the lead %(target)s")
)
LEAD_DECLINED = register(
    "leads.lead_declined", label=_("Lead declined"), sentence=_("%(actor)s declined the lead %(target)s")
)
LEAD_RECALLED = register(
    "leads.lead_recalled",
    label=_("Lead recalled"),
    sentence=_("The lead %(target)s was not accepted in time and was recalled"),
)
LEAD_SOURCE_CREATED = register(
    "leads.source_created", label=_("Lead source added"), sentence=_("%(actor)s added the lead source %(target)s")
)
FOLLOW_UP_ADDED = register(
    "leads.follow_up_added", label=_("Follow-up logged"), sentence=_("%(actor)s followed up the lead %(target)s")
)
LEAD_QUALIFIED = register(
    "leads.lead_qualified", label=_("Lead qualified"), sentence=_("%(actor)s confirmed the need of %(target)s")
)
LEAD_WON = register(
    "leads.lead_won", label=_("Lead won"), sentence=_("%(actor)s won the lead %(target)s"), notifies=True
)
LEAD_LOST = register("leads.lead_lost", label=_("Lead lost"), sentence=_("%(actor)s lost the lead %(target)s"))
FOLLOW_UP_REMINDER = register(
    "leads.follow_up_reminder",
    label=_("Follow-up overdue"),
    sentence=_("The lead %(target)s was accepted but nobody has followed it up yet"),
    notifies=True,
)
FOLLOW_UP_ESCALATED = register(
    "leads.follow_up_escalated",
    label=_("Follow-up escalated"),
    sentence=_("%(dealer)s has still not followed up the lead %(target)s"),
    notifies=True,
)
REGISTRATION_SUBMITTED = register(
    "leads.registration_submitted",
    label=_("Deal registered"),
    sentence=_("%(actor)s registered the deal %(target)s"),
)
REGISTRATION_APPROVED = register(
    "leads.registration_approved",
    label=_("Deal registration approved"),
    sentence=_("%(actor)s approved the deal registration %(target)s"),
    notifies=True,
)
REGISTRATION_REJECTED = register(
    "leads.registration_rejected",
    label=_("Deal registration rejected"),
    sentence=_("%(actor)s rejected the deal registration %(target)s"),
    notifies=True,
)
REGISTRATION_EXPIRED = register(
    "leads.registration_expired",
    label=_("Deal protection ended"),
    sentence=_("The protection of %(target)s ended"),
)

# The routing setup and imports.
RULE_CREATED = register(
    "leads.rule_created", label=_("Assignment rule added"), sentence=_("%(actor)s added the assignment rule %(target)s")
)
RULE_UPDATED = register(
    "leads.rule_updated",
    label=_("Assignment rule changed"),
    sentence=_("%(actor)s changed the assignment rule %(target)s"),
)
RULE_DEACTIVATED = register(
    "leads.rule_deactivated",
    label=_("Assignment rule deactivated"),
    sentence=_("%(actor)s deactivated the assignment rule %(target)s"),
)
SOURCE_KEY_ROTATED = register(
    "leads.source_key_rotated",
    label=_("Lead source key replaced"),
    sentence=_("%(actor)s replaced the key of the lead source %(target)s"),
)
SOURCE_DEACTIVATED = register(
    "leads.source_deactivated",
    label=_("Lead source deactivated"),
    sentence=_("%(actor)s deactivated the lead source %(target)s"),
)
IMPORT_STARTED = register(
    "leads.import_started", label=_("Lead import started"), sentence=_("%(actor)s uploaded the lead import %(target)s")
)
IMPORT_FINISHED = register(
    "leads.import_finished",
    label=_("Lead import finished"),
    sentence=_("The lead import %(target)s finished: %(created)s new, %(duplicates)s repeat, %(errors)s with errors"),
    notifies=True,
)
IMPORT_FAILED = register(
    "leads.import_failed",
    label=_("Lead import failed"),
    sentence=_("The lead import %(target)s stopped: %(failure)s"),
    notifies=True,
)
