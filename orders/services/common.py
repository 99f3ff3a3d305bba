"""Checks and locks every orders service shares: head-office permissions, the dealer in the actor's
scope, a required reason, and the dealer's credit-account lock."""

from dealers.models import Dealer
from dms.accounts.models import User
from dms.errors import PermissionDeniedError, ReasonRequired
from dms.scoping import dealer_q, signed_in
from orders.models import CreditAccount, Order


def can(user: User | None, codename: str) -> bool:
    """A head-office permission of this app; HQ administrators hold them all, ``None`` is the system."""
    if user is None:
        return True
    if not (signed_in(user) and user.is_hq):
        return False
    return user.is_hq_admin or user.has_perm(f"orders.{codename}")


def can_see_stock(user: User | None) -> bool:
    """The stock pages: for those who move stock, by counting it or shipping orders."""
    return can(user, "adjust_stock") or can(user, "ship_order")


def require(user: User | None, codename: str) -> None:
    if not can(user, codename):
        raise PermissionDeniedError()


def require_dealer_access(actor: User | None, dealer_id: int) -> None:
    """The actor must see the dealer: its own users, or HQ with the dealer in their territory."""
    if actor is None:
        return
    if not Dealer.objects.filter(dealer_q(actor, field="pk"), pk=dealer_id).exists():
        raise PermissionDeniedError()


def required_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason


def dealer_admins(dealer: Dealer) -> list[int]:
    return list(dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True))


def lock_account(dealer: Dealer) -> CreditAccount:
    try:
        return CreditAccount.objects.select_for_update().get(dealer=dealer)
    except CreditAccount.DoesNotExist:
        CreditAccount.objects.get_or_create(dealer=dealer)
        return CreditAccount.objects.select_for_update().get(dealer=dealer)


def write_back(objects: list, fields: list[str]) -> None:
    """Save ``fields`` of rows that exist and whose lock the caller holds, all in one statement: an upsert on
    the primary key. The ORM builds it in a fraction of the time bulk_update's CASE per row and column takes,
    and that time does not grow with the rows."""
    if objects:
        type(objects[0]).objects.bulk_create(objects, update_conflicts=True, unique_fields=["id"], update_fields=fields)


def people_to_tell(order: Order) -> list[int]:
    """The dealer's administrators, whoever created the order, and the dealer's owner at HQ."""
    ids = dealer_admins(order.dealer)
    if order.created_by_id:
        ids.append(order.created_by_id)
    if order.dealer.owner_id:
        ids.append(order.dealer.owner_id)
    return ids
