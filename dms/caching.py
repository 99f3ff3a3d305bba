"""Short-lived caching of figures computed over a user's whole scope (the homes' cards and charts).

A dashboard's counts and sums read every row of the user's scope, on every visit, for figures that
move slowly; a minute's staleness is invisible to the reader and saves those scans on every visit
after the first. Users who see the same rows share one entry: every HQ administrator shares the
whole company's figures, a dealer's users share their dealer's, everyone else has their own.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from dms.accounts.models import Role

T = TypeVar("T")

AGGREGATE_SECONDS = 60


def scope_key(user) -> str:
    """A name for the set of rows the user may see (see ``dms.scoping``)."""
    if user.effective_role == Role.HQ_ADMIN:
        return "all"
    if user.is_dealer_user:
        return f"dealer:{user.dealer_id}"
    return f"user:{user.pk}"


def scoped_aggregate(name: str, user, compute: Callable[[], T], *, seconds: int = AGGREGATE_SECONDS) -> T:
    """``compute()``'s result for this user's scope, kept ``seconds``; the key holds today's date so a
    figure "this month" or "last 14 days" never outlives the day it was computed on, and the language, as
    a result may hold translated labels."""
    key = f"dms:aggregate:{name}:{scope_key(user)}:{timezone.localdate().isoformat()}:{get_language()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
