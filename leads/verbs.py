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
