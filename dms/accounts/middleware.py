"""Sign a user out after a configurable idle period.

Requests a page makes on its own (the notification bell polling, marked with the
``X-DMS-Background`` header) do not count as activity.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

SESSION_KEY = "dms_last_seen"
TOUCH_EVERY = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect_to_login(request.get_full_path())
            background = request.headers.get("X-DMS-Background") == "1"
            if not background and (last_seen is None or now - last_seen >= TOUCH_EVERY):
                request.session[SESSION_KEY] = now
        return self.get_response(request)
