"""Dealers in the top bar's search: by code, name, USCC, or a contact's name or phone, within the user's scope."""

from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dealers.models import DealerContact
from dealers.selectors import dealers_in_scope
from dealers.validators import normalize_phone, normalize_uscc
from dms.search import AUDIENCE_HQ, Provider, Query, Result, any_of, register

# A USCC is matched from its start once it is long enough to tell companies apart (the first eight
# characters are the authority, type and region, shared by thousands).
USCC_PREFIX_MIN = 8
PHONE_PREFIX_MIN = 4


def phone_matches(query: Query, field: str) -> Q | None:
    """``field`` equal to the query read as a phone number (stored normalised, e.g. 13812345678 or
    0571-88888888), or starting with what was typed when it is only digits and dashes."""
    try:
        return Q(**{field: normalize_phone(query.text)})
    except ValidationError:
        typed = query.text.replace(" ", "")
        if sum(char.isdigit() for char in typed) >= PHONE_PREFIX_MIN and set(typed) <= set("0123456789-"):
            return Q(**{f"{field}__startswith": typed})
    return None


def find_dealers(user, query: Query, limit: int) -> list[Result]:
    """Dealers whose code starts with the query, whose USCC is (or starts with) it, whose name or legal
    name contains it, or one of whose contacts has that phone or name. Exact codes come first."""
    match = Q()
    for prefix in query.prefixes:
        match |= Q(code__startswith=prefix)
    uscc = normalize_uscc(query.text)
    if len(uscc) >= USCC_PREFIX_MIN:
        match |= Q(uscc__startswith=uscc)
    contact = phone_matches(query, "phone")
    if query.names:
        match |= Q(name__icontains=query.text) | Q(legal_name__icontains=query.text)
        contact = any_of(contact, Q(name__icontains=query.text))
    if contact is not None:
        match |= Q(Exists(DealerContact.objects.filter(contact, dealer=OuterRef("pk"))))
    exact = Q(code__in=query.prefixes) | Q(uscc=uscc)
    dealers = (
        dealers_in_scope(user=user)
        .filter(match)
        .select_related("region")
        .annotate(rank=Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("rank", "code")[:limit]
    )
    return [
        Result(
            label=dealer.name,
            secondary=f"{dealer.code} · {dealer.region.local_name} · {dealer.get_status_display()}",
            url=reverse("dealers:detail", args=[dealer.pk]),
            kind="dealer",
        )
        for dealer in dealers
    ]


register(
    Provider(
        kind="dealer", title=_("Dealers"), icon="bi-shop", audience=AUDIENCE_HQ, find=find_dealers, page="dealers:list"
    )
)
