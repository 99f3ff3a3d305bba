"""Delivery claims (到货异常): goods short or damaged on arrival, opened by the receipt that came short or by
the dealer, and resolved by head office with a replacement shipment, a credit note on the dealer's account, or
a rejection, each with its reason.

Opening a claim locks as shipments do, the order row and then the shipment: two claims of the same shipment wait
for each other there, so a line is never claimed for more than was shipped of it. Deciding one locks the claim,
then (for a credit) the dealer's credit account, and no order: a credit note completes the orders it settles,
which it locks after the account, as a payment does.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.documents import check_upload
from dms import events
from dms.accounts.models import User
from dms.errors import DomainError, InvalidTransition, PermissionDeniedError, RuleViolation
from dms.money import ZERO, as_money
from dms.numbers import next_number
from dms.scoping import actor_or_none
from logistics import verbs
from logistics.models import ClaimLine, DeliveryClaim, Shipment, ShipmentLine
from logistics.services.common import lock_order, lock_shipment, require_receiver, shipment_defaults
from orders import services as orders
from orders.services.common import dealer_admins, people_to_tell, require_dealer_access, required_reason

C = DeliveryClaim.Status


class NotDelivered(DomainError):
    code = "not_delivered"
    message = _("A claim is opened on a delivered shipment.")
    status_code = 409


class ClaimWindowClosed(RuleViolation):
    code = "claim_window_closed"


def can_resolve(user) -> bool:
    return bool(user and user.is_authenticated and user.is_hq and user.has_perm("logistics.resolve_claim"))


def _claimed(shipment: Shipment) -> dict[int, int]:
    """Per shipment line: what claims that were not rejected already hold of it."""
    return dict(
        ShipmentLine.objects.filter(shipment=shipment)
        .annotate(claimed=Sum("claim_lines__quantity", filter=~Q(claim_lines__claim__status=C.REJECTED)))
        .values_list("pk", "claimed")
    )


def _claim_lines(shipment: Shipment, lines) -> list[tuple[ShipmentLine, int]]:
    """``lines`` as (product, quantity) checked against what can still be claimed of each: what was shipped, less
    what other claims hold. (A shortage found on unpacking is claimed after a receipt signed in full.)"""
    shipment_lines = {line.product_id: line for line in shipment.lines.select_related("order_line", "product")}
    claimed = _claimed(shipment)
    chosen: dict[int, int] = {}
    problems = []
    for product, quantity in lines:
        product_id = getattr(product, "pk", product)
        line = shipment_lines.get(product_id)
        if line is None:
            problems.append({"product": product_id, "code": "not_shipped"})
            continue
        chosen[line.pk] = chosen.get(line.pk, 0) + (quantity or 0)
    by_id = {line.pk: line for line in shipment_lines.values()}
    for line_id, quantity in chosen.items():
        line = by_id[line_id]
        left = max(line.quantity - (claimed.get(line_id) or 0), 0)
        if quantity < 1 or quantity > left:
            problems.append({"product": line.product_id, "sku": line.product.sku, "code": "too_many", "left": left})
    if problems:
        raise RuleViolation(
            _("A line is claimed for at most what was shipped, less what other claims hold."),
            code="invalid_claim_lines",
            field="lines",
            data={"lines": problems},
        )
    if not chosen:
        raise RuleViolation(_("Name at least one product and quantity."), code="lines_required", field="lines")
    return [(by_id[line_id], quantity) for line_id, quantity in chosen.items()]


def _value(chosen: list[tuple[ShipmentLine, int]]) -> Decimal:
    return sum(
        (
            orders.line_amounts(line.order_line.unit_price, quantity, line.order_line.vat_rate)[2]
            for line, quantity in chosen
        ),
        ZERO,
    )


def _open(actor, shipment: Shipment, kind: str, chosen, description: str, photo=None, checked=None) -> DeliveryClaim:
    claim = DeliveryClaim(
        number=next_number("CL"),
        shipment=shipment,
        order_id=shipment.order_id,
        dealer_id=shipment.dealer_id,
        kind=kind,
        description=(description or "").strip()[:1000],
        value=_value(chosen),
        opened_by=actor_or_none(actor),
    )
    if photo is not None:
        claim.photo_type, claim.photo_sha256 = checked.content_type, checked.sha256
        claim.photo.save("photo", ContentFile(photo.read()), save=False)
    claim.save()
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(claim=claim, shipment_line=line, product_id=line.product_id, quantity=quantity)
            for line, quantity in chosen
        ]
    )
    events.record(
        actor=actor,
        verb=verbs.CLAIM_OPENED.code,
        target=claim,
        data={
            "shipment": shipment.number,
            "kind": kind,
            "lines": [{"sku": line.product.sku, "quantity": quantity} for line, quantity in chosen],
            "value": str(claim.value),
        },
        notify=people_to_tell(shipment.order),
    )
    return claim


def shortage_claim_open(*, actor: User | None, shipment: Shipment, lines: list[ShipmentLine]) -> DeliveryClaim | None:
    """The claim a receipt that came short opens by itself, for every line short. Called by the delivery, inside
    its transaction."""
    chosen = [(line, line.shortage) for line in lines if line.shortage]
    if not chosen:
        return None
    return _open(actor, shipment, DeliveryClaim.Kind.SHORTAGE, chosen, shipment.delivery_note)


def claim_open(
    *,
    actor: User | None,
    shipment: Shipment,
    kind: str,
    lines,
    description: str = "",
    photo=None,
) -> DeliveryClaim:
    """Report goods of a delivered shipment missing or damaged: ``lines`` as (product, quantity), a description
    and optionally a photo (JPEG, PNG or PDF). A dealer reports on its own shipments within the claim window;
    head office any time. All claims of a line together hold at most what was shipped of it."""
    require_receiver(actor, shipment)
    if kind not in DeliveryClaim.Kind.values:
        raise RuleViolation(_("Unknown kind of claim."), code="invalid_kind", field="kind")
    description = (description or "").strip()
    if not description:
        raise RuleViolation(_("Say what is wrong."), code="description_required", field="description")
    checked = check_upload(photo) if photo is not None else None
    with transaction.atomic():
        lock_order(shipment.order)
        locked = lock_shipment(shipment)
        if locked.status != Shipment.Status.DELIVERED:
            raise NotDelivered(field="shipment")
        window = timedelta(days=settings.DMS_CLAIM_WINDOW_DAYS)
        if actor is not None and actor.is_dealer_user and timezone.now() - locked.delivered_at > window:
            raise ClaimWindowClosed(
                _("Goods are reported missing or damaged within %(days)s days of delivery; ask head office.")
                % {"days": settings.DMS_CLAIM_WINDOW_DAYS},
                field="shipment",
            )
        chosen = _claim_lines(locked, lines)
        return _open(actor, locked, kind, chosen, description, photo, checked)


def replacement_create(*, actor: User | None, claim: DeliveryClaim) -> Shipment:
    """A planned shipment of the claimed goods from the warehouse that sent them, to the same place, by the
    order desk's own fleet unless the original went by carrier: free of charge, so it is not part of the order's
    quantities and issues no invoice. Its stock leaves at dispatch, from free stock."""
    original = claim.shipment
    lines = list(claim.lines.select_related("shipment_line__order_line", "product"))
    defaults = shipment_defaults(claim.order)
    replacement = Shipment.objects.create(
        number=next_number("SH"),
        order_id=claim.order_id,
        dealer_id=claim.dealer_id,
        warehouse_id=original.warehouse_id,
        mode=original.mode,
        carrier_id=original.carrier_id,
        ship_to_address=original.ship_to_address,
        ship_to_region_id=original.ship_to_region_id,
        latitude=original.latitude,
        longitude=original.longitude,
        requested_date=defaults["requested_date"],
        window_opens=original.window_opens,
        window_closes=original.window_closes,
        weight_kg=sum((line.product.weight_kg * line.quantity for line in lines), Decimal(0)),
        volume_m3=sum((line.product.volume_m3 * line.quantity for line in lines), Decimal(0)),
        replaces=claim,
        note=str(_("Replacement for claim %(number)s") % {"number": claim.number})[:500],
        created_by=actor_or_none(actor),
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                shipment=replacement,
                order_line=line.shipment_line.order_line,
                product_id=line.product_id,
                quantity=line.quantity,
            )
            for line in lines
        ]
    )
    events.record(
        actor=actor,
        verb=verbs.SHIPMENT_PLANNED.code,
        target=replacement,
        data={"order": claim.order.number, "warehouse": original.warehouse.code, "claim": claim.number},
    )
    return replacement


def _lock_claim(claim: DeliveryClaim) -> DeliveryClaim:
    return (
        DeliveryClaim.objects.select_for_update(of=("self",))
        .select_related("shipment__warehouse", "order", "dealer")
        .get(pk=claim.pk)
    )


def claim_resolve(
    *, actor: User | None, claim: DeliveryClaim, resolution: str, reason: str, amount=None
) -> DeliveryClaim:
    """Head office decides an open claim (a ``DeliveryClaim.Resolution``): ``reship`` plans a replacement shipment
    of the claimed goods (free of charge, from free stock at dispatch); ``credit`` puts ``amount`` (at most the
    goods' value, all of it when not given) on the dealer's account as a credit note; ``reject`` closes it. Each
    with a reason the dealer reads."""
    if actor is not None and not can_resolve(actor):
        raise PermissionDeniedError()
    require_dealer_access(actor, claim.dealer_id)
    if resolution not in DeliveryClaim.Resolution.values:
        raise RuleViolation(_("Choose re-ship, credit or reject."), code="invalid_resolution", field="resolution")
    reason = required_reason(reason)
    with transaction.atomic():
        locked = _lock_claim(claim)
        target = {"reship": C.RESHIPPED, "credit": C.CREDITED, "reject": C.REJECTED}[resolution]
        if locked.status != C.OPEN:
            raise InvalidTransition(current=locked.get_status_display(), target=C(target).label)
        if resolution == "credit":
            credit = locked.value if amount in (None, "") else as_money(amount)
            if not ZERO < credit <= locked.value:
                raise RuleViolation(
                    _("The credit is more than zero and at most the value of the goods, %(value)s.")
                    % {"value": locked.value},
                    code="invalid_amount",
                    field="amount",
                )
            locked.credit_amount = credit
            locked.credit_note = orders.credit_note_issue(
                actor=actor, dealer=locked.dealer, amount=credit, reference=locked.number, note=reason
            )
        replacement = replacement_create(actor=actor, claim=locked) if resolution == "reship" else None
        locked.status = target
        locked.resolution_reason = reason
        locked.resolved_by = actor_or_none(actor)
        locked.resolved_at = timezone.now()
        locked.save()
        data = {"resolution": resolution, "reason": reason}
        if replacement is not None:
            data["shipment"] = replacement.number
        if locked.credit_amount is not None:
            data["amount"] = str(locked.credit_amount)
        events.record(
            actor=actor,
            verb=verbs.CLAIM_RESOLVED.code,
            target=locked,
            data=data,
            notify=dealer_admins(locked.dealer),
        )
    return locked
