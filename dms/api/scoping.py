"""Objects a request names by id in its body (the dealer of a new order, say) are looked up through the
user's scope; one outside it is answered exactly as one that does not exist."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound


def in_scope_or_404(found):
    """``found``, the result of a scoped lookup, or 404 when the lookup found nothing."""
    if found is None:
        raise NotFound(_("No such object, or it is outside what you may see."))
    return found
