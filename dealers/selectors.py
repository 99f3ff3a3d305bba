"""Reads of regions and dealers, scoped to the user first (``dms.scoping``)."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from dealers.models import Dealer, DealerContact, Region
from dms.scoping import dealer_q, signed_in


def region_list(*, user) -> QuerySet[Region]:
    """Regions are reference data: every signed-in user may read them."""
    if not signed_in(user):
        return Region.objects.none()
    return Region.objects.select_related("parent")


def dealer_list(*, user, filters=None) -> QuerySet[Dealer]:
    # Contacts are counted per dealer shown (a subquery PostgreSQL runs for the page's rows only), never by
    # grouping the whole scope before the page is cut.
    contacts = DealerContact.objects.filter(dealer=OuterRef("pk")).order_by().values("dealer").annotate(n=Count("pk"))
    qs = (
        Dealer.objects.filter(dealer_q(user, field="pk"))
        .select_related("region", "region__parent", "owner")
        .annotate(contact_count=Coalesce(Subquery(contacts.values("n")), 0))
        .order_by("code")
    )
    if filters is not None:
        from dealers.filters import DealerFilterSet

        qs = DealerFilterSet(filters, queryset=qs).qs
    return qs


def dealers_in_scope(*, user) -> QuerySet[Dealer]:
    """The dealers the user may see, by code: what a form offers to choose from."""
    return Dealer.objects.filter(dealer_q(user, field="pk")).order_by("code")


def dealer_in_scope(*, user, dealer_id: int) -> Dealer | None:
    """The dealer with this id if the user may see it, else None: a dealer outside the user's scope and
    one that does not exist must look the same to the caller."""
    return dealer_list(user=user).filter(pk=dealer_id).first()


def dealer_detail_queryset(*, user) -> QuerySet[Dealer]:
    return (
        Dealer.objects.filter(dealer_q(user, field="pk"))
        .select_related("region", "region__parent", "owner")
        .prefetch_related(
            "served_regions",
            Prefetch("contacts", queryset=DealerContact.objects.order_by("-is_primary", "name")),
            "users",
        )
    )


def dealer_records(*, user) -> QuerySet[Dealer]:
    """Dealers in the user's scope with what the API shows of each: the home region, and the regions served
    and contacts as lists (``served_region_list``, ``contact_list``), read for the page's rows only."""
    return (
        Dealer.objects.filter(dealer_q(user, field="pk"))
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "served_regions", queryset=Region.objects.only("id", "code", "path"), to_attr="served_region_list"
            ),
            Prefetch(
                "contacts", queryset=DealerContact.objects.order_by("-is_primary", "name"), to_attr="contact_list"
            ),
        )
    )


def owner_choices():
    """Head-office users who can be made responsible for a dealer."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, dealer__isnull=True)
        .filter(Q(role__in=["hq_admin", "hq_staff", "sales_rep"]))
    )


def document_list(*, user) -> QuerySet:
    """Qualification documents of the dealers the user may see."""
    from dealers.models import QualificationDocument

    return QualificationDocument.objects.filter(dealer_q(user, field="dealer")).select_related(
        "doc_type", "dealer", "uploaded_by", "reviewed_by"
    )


def document_records(*, user) -> QuerySet:
    """Qualification documents of the dealers the user may see, with only their type joined: what the API
    shows of each (the dealer by id)."""
    from dealers.models import QualificationDocument

    return QualificationDocument.objects.filter(dealer_q(user, field="dealer")).select_related("doc_type")


def document_overview(*, dealer) -> list[dict]:
    """Per document type: the documents on record, newest first, and whether the type is covered
    by a verified document valid today."""
    from django.utils import timezone

    from dealers.models import DocumentType, QualificationDocument

    today = timezone.localdate()
    documents = list(
        QualificationDocument.objects.filter(dealer=dealer)
        .select_related("uploaded_by", "reviewed_by")
        .order_by("-uploaded_at")
    )
    rows = []
    for doc_type in DocumentType.objects.all():
        mine = [d for d in documents if d.doc_type_id == doc_type.pk]
        valid = [
            d
            for d in mine
            if d.status == QualificationDocument.Status.VERIFIED and (d.expires_on is None or d.expires_on >= today)
        ]
        for d in mine:
            d.days_left = (d.expires_on - today).days if d.expires_on else None
        rows.append({"type": doc_type, "documents": mine, "valid": bool(valid)})
    return rows


def document_type_list(*, user) -> QuerySet:
    from dealers.models import DocumentType

    if not signed_in(user):
        return DocumentType.objects.none()
    return DocumentType.objects.all()


def application_list(*, user, filters=None) -> QuerySet:
    """Applications HQ may handle: all for users who see every dealer, otherwise those wanting a
    region in the user's territory or that they review. Dealer users see none."""
    from dealers.models import DealerApplication
    from dms.scoping import visible_dealers

    qs = DealerApplication.objects.all()
    if not signed_in(user) or user.is_dealer_user:
        return qs.none()
    if visible_dealers(user) is not None:
        territory = Q(reviewer=user)
        for path in user.region_paths():
            territory |= Q(regions_wanted__path__startswith=path)
        qs = qs.filter(pk__in=DealerApplication.objects.filter(territory).values("pk"))
    qs = qs.select_related("reviewer", "dealer").prefetch_related("regions_wanted")
    if filters is not None:
        from dealers.filters import ApplicationFilterSet

        qs = ApplicationFilterSet(filters, queryset=qs).qs
    return qs


def dealer_staff(*, user, dealer) -> QuerySet:
    """The portal users of ``dealer`` if the user may see it, active first."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(dealer_q(user, field="dealer"), dealer=dealer)
        .order_by("-is_active", "role", "username")
    )
