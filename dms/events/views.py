"""HTML pages: the notification inbox (both layouts) and the HQ audit log."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from dms.events import selectors, services
from dms.events.filters import EventFilterSet, NotificationFilterSet
from dms.views import EVERYONE, HQ, RoleRequiredMixin, ScopedListView


class NotificationListView(ScopedListView):
    allowed_roles = EVERYONE
    selector = selectors.notification_list
    filterset_class = NotificationFilterSet
    template_name = "events/notification_list.html"
    context_object_name = "notifications"

    def get_queryset(self):
        return super().get_queryset().select_related("event__target_type")


class NotificationReadView(RoleRequiredMixin, View):
    """Mark one notification read, then go back where the user came from."""

    allowed_roles = EVERYONE

    def post(self, request, pk):
        notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
        services.notification_mark_read(user=request.user, notification=notification)
        if request.htmx:
            return render(request, "events/_notification_row.html", {"n": notification})
        next_url = request.POST.get("next", "")
        if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}
        ):
            next_url = reverse("notifications:list")
        return HttpResponseRedirect(next_url)


class NotificationReadAllView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE

    def post(self, request):
        count = services.notification_mark_all_read(user=request.user)
        messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
        return redirect("notifications:list")


class NotificationBellView(RoleRequiredMixin, View):
    """The bell with its unread count, refreshed by htmx every minute."""

    allowed_roles = EVERYONE

    def get(self, request):
        return render(request, "partials/bell.html")


class EventListView(ScopedListView):
    """The audit log: every recorded change the user may see, filterable like the API."""

    allowed_roles = HQ
    selector = selectors.event_list
    filterset_class = EventFilterSet
    template_name = "events/event_list.html"
    context_object_name = "events"
    paginate_by = 50
