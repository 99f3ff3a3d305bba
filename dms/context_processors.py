"""What every page needs: which layout to extend, the unread notification count for the bell, and the menu."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from dms.events.selectors import notification_unread_count
from dms.menus import Menu


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"base_layout": "layouts/auth.html", "unread_notifications": 0}
    return {
        "base_layout": "layouts/portal.html" if user.is_dealer_user else "layouts/hq.html",
        "unread_notifications": notification_unread_count(user=user),
        "nav": SimpleLazyObject(lambda: Menu(user, getattr(request.resolver_match, "view_name", ""))),
    }


def brand(request):
    """The brand's name and logo (a static path), from settings: the public pages carry them."""
    return {"brand_name": settings.BRAND_NAME or "DMS", "brand_logo": settings.BRAND_LOGO}
