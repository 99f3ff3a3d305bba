"""Reads of users and API tokens, scoped to the user first."""

from django.db.models import QuerySet

from dms.accounts.models import ApiToken, Role, User
from dms.scoping import signed_in


def user_list(*, user, filters=None) -> QuerySet[User]:
    """HQ admins see every user; a dealer admin sees their dealer's users; anyone else only themselves."""
    qs = User.objects.all()
    if not signed_in(user):
        return qs.none()
    if user.is_hq_admin:
        pass
    elif user.effective_role == "dealer_admin":
        qs = qs.filter(dealer_id=user.dealer_id)
    else:
        qs = qs.filter(pk=user.pk)
    qs = qs.select_related("dealer").prefetch_related("regions")
    if filters is not None:
        from dms.accounts.filters import UserFilterSet

        qs = UserFilterSet(filters, queryset=qs).qs
    return qs


def token_list(*, user) -> QuerySet[ApiToken]:
    """A user's own API tokens: nobody else's, whatever their role."""
    if not signed_in(user):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def can_read_api_docs(user) -> bool:
    """The API documentation is for those who connect other systems: head office's administrators and
    staff, and dealer administrators. Sales reps and dealer staff work in the pages."""
    return signed_in(user) and user.effective_role in (Role.HQ_ADMIN, Role.HQ_STAFF, Role.DEALER_ADMIN)
