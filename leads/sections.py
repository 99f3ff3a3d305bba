"""The leads app's tabs on the dealer page at head office (``dealers.sections``): the leads the dealer holds and its
deal registrations, read through this app's selectors."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.sections import Section, list_url, register
from leads import selectors
from leads.filters import LeadFilterSet


def _leads(*, user, dealer):
    # The lead list's own "held by dealer" filter, so the tab and its "see all" link list the same leads.
    held = LeadFilterSet({"dealer": dealer.pk}, queryset=selectors.leads_with_open_assignment(user=user)).qs
    return held.order_by("-created_at", "-pk")


def _registrations(*, user, dealer):
    return selectors.registration_list(user=user).filter(dealer=dealer).order_by("-created_at", "-pk")


register(
    Section(
        key="leads",
        label=_("Leads"),
        icon="person-lines-fill",
        template="dealers/sections/leads.html",
        rows=_leads,
        context=lambda *, user, dealer: {"now": timezone.now()},
        see_all=lambda *, user, dealer: list_url("leads:list", dealer, user=user),
        order=50,
    )
)
register(
    Section(
        key="registrations",
        label=_("Deal registrations"),
        icon="shield-check",
        template="dealers/sections/registrations.html",
        rows=_registrations,
        see_all=lambda *, user, dealer: list_url("leads:registrations", dealer, user=user),
        order=60,
    )
)
