"""Dealers, their contacts and the region tree: create, edit, status and tier moves. One transaction each;
an event for each change."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers import verbs
from dealers.models import Dealer, DealerContact, Region
from dealers.validators import normalize_phone, normalize_uscc, validate_uscc
from dms import events
from dms.accounts.models import HQ_ROLES, User
from dms.errors import InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from dms.scoping import dealer_q

S = Dealer.Status

# The only moves a dealer's status can make; every move needs a reason.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROSPECT: frozenset({S.ONBOARDING, S.TERMINATED}),
    S.ONBOARDING: frozenset({S.ACTIVE, S.TERMINATED}),
    S.ACTIVE: frozenset({S.PROBATION, S.SUSPENDED, S.TERMINATED}),
    S.PROBATION: frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.PROBATION, S.TERMINATED}),
    S.TERMINATED: frozenset(),
}

# What HQ may edit with dealer_update; status and tier have their own services with a reason.
EDITABLE_FIELDS = (
    "code",
    "name",
    "legal_name",
    "uscc",
    "region",
    "address",
    "latitude",
    "longitude",
    "owner",
    "payment_terms_days",
    "lead_capacity",
    "joined_on",
)


class UsccTaken(RuleViolation):
    code = "uscc_taken"
    message = _("A dealer with this unified social credit code already exists.")


class DealerCodeTaken(RuleViolation):
    code = "dealer_code_taken"
    message = _("This dealer code is already used.")


class OutOfTerritory(RuleViolation):
    code = "out_of_territory"
    message = _("The dealer would be outside your territory: choose a region you cover or make yourself the owner.")


class InvalidOwner(RuleViolation):
    code = "invalid_owner"
    message = _("The owner must be an active head-office user.")


def clean_uscc(value: str) -> str:
    uscc = normalize_uscc(value)
    try:
        validate_uscc(uscc)
    except ValidationError as exc:
        raise RuleViolation(
            " ".join(exc.messages), code=exc.error_list[0].code or "uscc_invalid", field="uscc"
        ) from exc
    return uscc


def require_hq(actor: User | None) -> None:
    """HQ roles may act; ``None`` is the system itself (beat tasks), never a request."""
    if actor is None:
        return
    if not (actor.is_authenticated and actor.effective_role in HQ_ROLES):
        raise PermissionDeniedError()


def check_owner(owner) -> None:
    if owner is not None and (not owner.is_active or owner.effective_role not in HQ_ROLES):
        raise InvalidOwner(field="owner")


def check_in_scope(actor: User | None, dealer: Dealer) -> None:
    """A write must leave the dealer inside the writer's scope (deny by default)."""
    if actor is None:
        return
    if not Dealer.objects.filter(dealer_q(actor, field="pk"), pk=dealer.pk).exists():
        raise OutOfTerritory(field="region")


def _save_unique(dealer: Dealer, **kwargs) -> None:
    try:
        with transaction.atomic():
            dealer.save(**kwargs)
    except IntegrityError as exc:
        if "uscc" in str(exc):
            raise UsccTaken(field="uscc") from exc
        if "code" in str(exc):
            raise DealerCodeTaken(field="code") from exc
        raise


def dealer_create(
    *,
    actor: User,
    name: str,
    legal_name: str,
    uscc: str,
    region: Region,
    code: str = "",
    tier: str = Dealer.Tier.C,
    status: str = Dealer.Status.PROSPECT,
    served_regions=(),
    address: str = "",
    latitude=None,
    longitude=None,
    owner=None,
    payment_terms_days: int = 30,
    lead_capacity: int = 20,
    joined_on=None,
    contacts=(),
) -> Dealer:
    """Register a dealer. Without a code it gets ``D`` + its number; reps and staff own what they add."""
    require_hq(actor)
    uscc = clean_uscc(uscc)
    if owner is None and actor.effective_role != "hq_admin":
        owner = actor
    check_owner(owner)
    if status not in (Dealer.Status.PROSPECT, Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE):
        raise RuleViolation(_("A new dealer starts as a prospect, onboarding or active."), code="invalid_status")
    if Dealer.objects.filter(uscc=uscc).exists():
        raise UsccTaken(field="uscc")
    with transaction.atomic():
        dealer = Dealer(
            code=code.strip() or uscc,  # unique until the number is known, then D + number
            name=name.strip(),
            legal_name=legal_name.strip(),
            uscc=uscc,
            region=region,
            tier=tier,
            status=status,
            address=address,
            latitude=latitude,
            longitude=longitude,
            owner=owner,
            payment_terms_days=payment_terms_days,
            lead_capacity=lead_capacity,
            joined_on=joined_on or (timezone.localdate() if status == Dealer.Status.ACTIVE else None),
        )
        _save_unique(dealer)
        if not code.strip():
            dealer.code = f"D{dealer.pk:05d}"
            _save_unique(dealer, update_fields=["code"])
        if served_regions:
            dealer.served_regions.set(served_regions)
        for contact in contacts:
            _contact_create(dealer=dealer, **contact)
        check_in_scope(actor, dealer)
        events.record(
            actor=actor,
            verb=verbs.DEALER_CREATED.code,
            target=dealer,
            data={"status": dealer.status, "tier": dealer.tier},
        )
    return dealer


def dealer_update(*, actor: User, dealer: Dealer, served_regions=None, **changes) -> Dealer:
    """Change a dealer's profile (not status or tier). The dealer must stay in the writer's scope."""
    require_hq(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise RuleViolation(code="unknown_field", data={"fields": sorted(unknown)})
    if "uscc" in changes:
        changes["uscc"] = clean_uscc(changes["uscc"])
    if "owner" in changes:
        check_owner(changes["owner"])
    if "code" in changes:
        changes["code"] = (changes["code"] or "").strip()
        if not changes["code"]:
            raise RuleViolation(_("A dealer needs a code."), code="code_required", field="code")
    with transaction.atomic():
        locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
        check_in_scope(actor, locked)
        changed = {}
        for field, value in changes.items():
            before = getattr(locked, field)
            if before != value:
                changed[field] = [events.plain(before), events.plain(value)]
                setattr(locked, field, value)
        if changed:
            _save_unique(locked)
        if served_regions is not None:
            before = sorted(r.code for r in locked.served_regions.all())
            after = sorted(r.code for r in served_regions)
            if before != after:
                locked.served_regions.set(served_regions)
                changed["served_regions"] = [", ".join(before), ", ".join(after)]
        if changed:
            check_in_scope(actor, locked)
            events.record(actor=actor, verb=verbs.DEALER_UPDATED.code, target=locked, data={"changes": changed})
    return locked


def dealer_change_status(*, actor: User | None, dealer: Dealer, status: str, reason: str) -> Dealer:
    """Move a dealer along its transition table, with a reason; already there is a no-op."""
    require_hq(actor)
    if not (reason or "").strip():
        raise ReasonRequired()
    if status not in Dealer.Status.values:
        raise RuleViolation(_("Unknown status."), code="invalid_status", field="status")
    with transaction.atomic():
        locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
        check_in_scope(actor, locked)
        if locked.status == status:
            return locked
        dealer_move(locked, actor=actor, status=status, reason=reason.strip())
    return locked


def dealer_move(dealer: Dealer, *, actor: User | None, status: str, reason: str) -> None:
    """The one place a dealer's status changes: the move must be in STATUS_TRANSITIONS."""
    if status not in STATUS_TRANSITIONS[dealer.status]:
        raise InvalidTransition(current=dealer.get_status_display(), target=Dealer.Status(status).label)
    previous = dealer.status
    dealer.status = status
    update = ["status", "updated_at"]
    if status == Dealer.Status.ACTIVE and dealer.joined_on is None:
        dealer.joined_on = timezone.localdate()
        update.append("joined_on")
    dealer.save(update_fields=update)
    events.record(
        actor=actor,
        verb=verbs.STATUS_CHANGED.code,
        target=dealer,
        data={"from": previous, "to": status, "reason": reason},
        notify=people_to_tell(dealer),
    )


def dealer_change_tier(*, actor: User, dealer: Dealer, tier: str, reason: str) -> Dealer:
    require_hq(actor)
    if not (reason or "").strip():
        raise ReasonRequired()
    if tier not in Dealer.Tier.values:
        raise RuleViolation(_("Unknown tier."), code="invalid_tier", field="tier")
    with transaction.atomic():
        locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
        check_in_scope(actor, locked)
        if locked.tier == tier:
            return locked
        previous = locked.tier
        locked.tier = tier
        locked.save(update_fields=["tier", "updated_at"])
        events.record(
            actor=actor,
            verb=verbs.TIER_CHANGED.code,
            target=locked,
            data={"from": previous, "to": tier, "reason": reason.strip()},
            notify=people_to_tell(locked),
        )
    return locked


def people_to_tell(dealer: Dealer) -> list[int]:
    """The owner and the dealer's own administrators."""
    ids = list(dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True))
    if dealer.owner_id:
        ids.append(dealer.owner_id)
    return ids


def _contact_create(*, dealer: Dealer, name: str, phone: str, title: str = "", email: str = "", is_primary=False):
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise RuleViolation(" ".join(exc.messages), code="phone_invalid", field="phone") from exc
    if is_primary:
        dealer.contacts.filter(is_primary=True).update(is_primary=False)
    return DealerContact.objects.create(
        dealer=dealer,
        name=name.strip(),
        title=title.strip(),
        phone=phone,
        email=email,
        is_primary=is_primary or not dealer.contacts.exists(),
    )


def contact_add(*, actor: User, dealer: Dealer, **fields) -> DealerContact:
    require_hq(actor)
    with transaction.atomic():
        locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
        check_in_scope(actor, locked)
        contact = _contact_create(dealer=locked, **fields)
        events.record(actor=actor, verb=verbs.CONTACT_CHANGED.code, target=locked, data={"added": contact.name})
    return contact


def contact_remove(*, actor: User, contact: DealerContact) -> None:
    require_hq(actor)
    with transaction.atomic():
        dealer = Dealer.objects.select_for_update().get(pk=contact.dealer_id)
        check_in_scope(actor, dealer)
        was_primary = contact.is_primary
        name = contact.name
        contact.delete()
        if was_primary:
            successor = dealer.contacts.order_by("pk").first()
            if successor:
                DealerContact.objects.filter(pk=successor.pk).update(is_primary=True)
        events.record(actor=actor, verb=verbs.CONTACT_CHANGED.code, target=dealer, data={"removed": name})


def region_save(*, actor: User, region: Region | None, **fields) -> Region:
    """Create or change a region (HQ administrators); the subtree paths follow a new parent."""
    if not (actor and actor.is_authenticated and actor.is_hq_admin):
        raise PermissionDeniedError()
    with transaction.atomic():
        if region is None:
            region = Region(**fields)
        else:
            region = Region.objects.select_for_update().get(pk=region.pk)
            for key, value in fields.items():
                setattr(region, key, value)
        if region.level == Region.Level.COUNTRY or region.parent is None:
            raise RuleViolation(_("A region needs a parent; the country is the only root."), code="region_parent")
        old_path = region.path
        region.path = f"{region.parent.path}{region.code}/"
        if old_path and region.path.startswith(old_path):
            raise RuleViolation(_("A region cannot be moved under itself."), code="region_cycle", field="parent")
        try:
            with transaction.atomic():
                region.save()
        except IntegrityError as exc:
            raise RuleViolation(_("This region code already exists."), code="region_code_taken", field="code") from exc
        if old_path and old_path != region.path:
            for child in Region.objects.filter(path__startswith=old_path).exclude(pk=region.pk):
                child.path = region.path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
    return region
