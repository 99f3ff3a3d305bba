"""Taking in leads from every channel: de-duplication by phone, email or company (``company_key``), a
repeat enquiry recorded as a touch on the first lead, and the assignment sweep queued on commit."""

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.validators import normalize_phone
from dms import events
from dms.accounts.models import User
from dms.errors import RuleViolation
from dms.scoping import actor_or_none
from leads import verbs
from leads.models import Lead, LeadTouch
from leads.selectors import open_assignment
from leads.services.common import queue_assignment

COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")


def company_key(company: str) -> str:
    """A company name as de-duplication compares it: width and case folded, spaces and the usual
    legal-form suffixes dropped."""
    text = "".join(unicodedata.normalize("NFKC", company or "").casefold().split())
    for suffix in COMPANY_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text.removesuffix(suffix)
            break
    return text


def clean_phone(phone: str) -> str:
    if not (phone or "").strip():
        return ""
    try:
        return normalize_phone(phone)
    except ValidationError as exc:
        raise RuleViolation(" ".join(exc.messages), code="phone_invalid", field="phone") from exc


def _duplicate_of(*, phone: str, email: str, key: str, region, since):
    """The recent lead of the same customer: same phone, same email, or same company in the region."""
    same = Q()
    if phone:
        same |= Q(phone=phone)
    if email:
        same |= Q(email__iexact=email)
    if key:
        same |= Q(company_key=key, region=region)
    if not same:
        return None
    return Lead.objects.select_for_update().filter(same, created_at__gte=since).order_by("created_at", "pk").first()


def _holder_id(lead: Lead) -> int | None:
    assignment = open_assignment(lead=lead)
    return assignment.dealer_id if assignment else None


def _holder_people(lead: Lead) -> list[int]:
    assignment = open_assignment(lead=lead)
    if assignment is None:
        return []
    return list(assignment.dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True))


def lead_create(
    *,
    actor: User | None,
    source: str,
    contact_name: str,
    region,
    product_line,
    phone: str = "",
    email: str = "",
    company: str = "",
    address: str = "",
    latitude=None,
    longitude=None,
    estimated_value=None,
    message: str = "",
    consent: bool = False,
    consent_purpose: str = "",
    source_site=None,
    assign_soon: bool = True,
) -> tuple[Lead, bool]:
    """Take in a lead from any channel. A customer already seen within ``DMS_LEAD_DEDUPE_DAYS`` adds
    a touch to their lead (and its holder is told) instead of a second lead. Returns (lead, created).

    The assignment task is queued on commit, unless ``assign_soon`` is false: a caller taking in many
    leads in one transaction (an import chunk) queues one task for all of them."""
    if source not in Lead.Source.values:
        raise RuleViolation(_("Unknown lead source."), code="invalid_source", field="source")
    if not (contact_name or "").strip():
        raise RuleViolation(_("Give the contact's name."), code="contact_name_required", field="contact_name")
    phone = clean_phone(phone)
    email = (email or "").strip().lower()
    if not phone and not email:
        raise RuleViolation(_("Give a phone number or an email address."), code="contact_required", field="phone")
    key = company_key(company)
    now = timezone.now()
    with transaction.atomic():
        existing = _duplicate_of(
            phone=phone,
            email=email,
            key=key,
            region=region,
            since=now - timedelta(days=settings.DMS_LEAD_DEDUPE_DAYS),
        )
        if existing is not None:
            LeadTouch.objects.create(lead=existing, source=source, message=(message or "").strip())
            Lead.objects.filter(pk=existing.pk).update(touches=F("touches") + 1, last_touch_at=now)
            existing.refresh_from_db()
            events.record(
                actor=actor,
                verb=verbs.LEAD_TOUCHED.code,
                target=existing,
                dealer_id=_holder_id(existing),
                data={"source": source},
                notify=_holder_people(existing),
            )
            return existing, False
        lead = Lead.objects.create(
            contact_name=contact_name.strip(),
            phone=phone,
            email=email,
            company=(company or "").strip(),
            company_key=key,
            region=region,
            address=(address or "").strip(),
            latitude=latitude,
            longitude=longitude,
            product_line=product_line,
            estimated_value=estimated_value,
            source=source,
            source_site=source_site,
            message=(message or "").strip(),
            consent=bool(consent),
            consent_at=now if consent else None,
            consent_purpose=(consent_purpose or "").strip() if consent else "",
            created_by=actor_or_none(actor),
        )
        events.record(actor=actor, verb=verbs.LEAD_CREATED.code, target=lead, dealer_id=None, data={"source": source})
        if assign_soon:
            queue_assignment()
    return lead, True
