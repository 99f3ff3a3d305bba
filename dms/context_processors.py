"""What every page needs: which layout to extend and the unread notification count for the bell."""

from dms.events.selectors import notification_unread_count


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"base_layout": "layouts/auth.html", "unread_notifications": 0}
    return {
        "base_layout": "layouts/portal.html" if user.is_dealer_user else "layouts/hq.html",
        "unread_notifications": notification_unread_count(user=user),
    }
