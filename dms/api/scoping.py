"""Objects a request names by id in its body (the dealer of a new order, say) are looked up through the
user's scope; one outside it is answered exactly as one that does not exist."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound


def in_scope_or_404(found):
    """``found``, the result of a scoped lookup, or 404 when the lookup found nothing."""
    if found is None:
        raise NotFound(_("No such object, or it is outside what you may see."))
    return found


@contextmanager
def found_in_scope_or_404(model, pk):
    """For a service that looks up the object the URL names itself, as it locks it, and raises ``model.DoesNotExist``
    for one outside the user's scope as for a missing one: one read where a scoped lookup and then the lock take
    two. Yields an unread ``model`` instance with that primary key; answers 404 for a key that cannot be one and
    when the service finds nothing."""
    try:
        unread = model(pk=model._meta.pk.to_python(pk))
    except ValidationError as exc:
        raise NotFound(_("No such object, or it is outside what you may see.")) from exc
    try:
        yield unread
    except model.DoesNotExist as exc:
        raise NotFound(_("No such object, or it is outside what you may see.")) from exc
