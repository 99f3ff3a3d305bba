"""The one rule for which dealers a user may see, shared by every app's selectors and exports.

- HQ administrators (and superusers) see every dealer.
- Dealer users see their own dealer only.
- HQ staff and sales reps see the dealers they own plus every dealer whose home region lies in the
  subtree of a region assigned to them ("assigned to 浙江" covers every city and district in it).
  With no region assigned, a user flagged ``sees_all_without_regions`` sees every dealer;
  otherwise only the dealers they own.

``dealer_q(user, field)`` returns a ``Q`` on any column that points at a dealer, so the same rule
filters dealers (``field="pk"``), orders (``"dealer"``), events (``"dealer_id"``) and so on.
The dealer and region tables are looked up through the app registry: this module owns the rule,
the dealers app owns the data.
"""

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Q

from dms.accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dms.accounts.models import User

NOTHING = Q(pk__in=[])


def signed_in(user: "User | AnonymousUser | None") -> bool:
    """A user who is signed in and still active; anonymous users and deactivated accounts see nothing."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def actor_or_none(actor: "User | AnonymousUser | None") -> "User | None":
    """The user to record as having done something, or None for the system (a task, an anonymous form)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def visible_dealers(user):
    """A queryset of the dealer ids the user may see, or None when they may see every dealer."""
    if not signed_in(user):
        return apps.get_model("dealers", "Dealer").objects.none().values("pk")
    if user.effective_role == Role.HQ_ADMIN:
        return None
    dealer_model = apps.get_model("dealers", "Dealer")
    if user.is_dealer_user:
        return dealer_model.objects.filter(pk=user.dealer_id).values("pk")
    paths = user.region_paths()
    if not paths and user.sees_all_without_regions:
        return None
    territory = Q(owner=user)
    for path in paths:
        territory |= Q(region__path__startswith=path)
    return dealer_model.objects.filter(territory).values("pk")


def dealer_q(user, field: str = "dealer_id") -> Q:
    """Rows whose ``field`` names a dealer the user may see. Rows about no dealer are excluded for
    everyone but HQ administrators."""
    if not signed_in(user):
        return NOTHING
    dealers = visible_dealers(user)
    if dealers is None:
        return Q() if user.effective_role == Role.HQ_ADMIN else Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}__in": dealers})
