"""Leads in the top bar's search: by number (L000123), phone (in the normalised form intake stores) or,
when the query is long enough, the contact's name or company. A dealer finds the leads it holds by their
contact details, and those it once held by number only: their contact details are no longer its business."""

import re

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dealers.search import phone_matches
from dms.search import AUDIENCE_HQ, AUDIENCE_PORTAL, Provider, Query, Result, any_of, register
from leads.selectors import lead_list

# Lead numbers are the id written L000123; more than nine digits is a phone number, not a lead.
NUMBER = re.compile(r"[Ll]?0*([1-9][0-9]{0,8})")


def _by_number(query: Query) -> Q | None:
    number = NUMBER.fullmatch(query.text)
    return Q(pk=int(number[1])) if number else None


def _by_contact(query: Query) -> Q | None:
    names = Q(contact_name__icontains=query.text) | Q(company__icontains=query.text) if query.names else None
    return any_of(phone_matches(query, "phone"), names)


def _find(user, query: Query, limit: int, *, contact_only_if_visible: bool):
    by_contact = _by_contact(query)
    if by_contact is not None and contact_only_if_visible:
        by_contact &= Q(contact_visible=True)
    match = any_of(_by_number(query), by_contact)
    if match is None:
        return []
    return list(lead_list(user=user).filter(match).order_by("-created_at", "-id")[:limit])


def _result(lead, url: str) -> Result:
    if lead.contact_visible:
        label = f"{lead.number} · {lead.contact_name}"
        details = (lead.company, lead.phone, lead.get_status_display())
    else:
        label, details = lead.number, (lead.get_status_display(),)
    return Result(label=label, secondary=" · ".join(part for part in details if part), url=url, kind="lead")


def hq_leads(user, query: Query, limit: int) -> list[Result]:
    return [
        _result(lead, reverse("leads:detail", args=[lead.pk]))
        for lead in _find(user, query, limit, contact_only_if_visible=False)
    ]


def portal_leads(user, query: Query, limit: int) -> list[Result]:
    return [
        _result(lead, reverse("portal:lead_detail", args=[lead.pk]))
        for lead in _find(user, query, limit, contact_only_if_visible=True)
    ]


for audience, find, page in ((AUDIENCE_HQ, hq_leads, "leads:list"), (AUDIENCE_PORTAL, portal_leads, "portal:leads")):
    register(
        Provider(kind="lead", title=_("Leads"), icon="bi-person-lines-fill", audience=audience, find=find, page=page)
    )
