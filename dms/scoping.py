"""The one rule for which dealers' rows a user may see, shared by every app's selectors.

``dealer_q(user)`` returns a ``Q`` on a dealer id column. HQ administrators see every dealer;
dealer users their own dealer only. HQ staff and sales reps see their territory: until region
assignments and dealer ownership exist (the dealers app adds them here), staff without regions
see every dealer, as the territory rule says, and reps see none.
"""

from django.db.models import Q

from dms.accounts.models import Role

NOTHING = Q(pk__in=[])


def dealer_q(user, field: str = "dealer_id") -> Q:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    role = user.effective_role
    if role == Role.HQ_ADMIN:
        return Q()
    if user.is_dealer_user:
        return Q(**{field: user.dealer_id})
    if role == Role.HQ_STAFF:
        return Q(**{f"{field}__isnull": False})
    return NOTHING
