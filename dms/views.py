"""Base HTML views that enforce roles and scoping, the role-based home, and the health probes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, View

from dms import lists
from dms.accounts.models import DEALER_ROLES, HQ_ROLES, Role
from dms.forms import run_service, style_form
from dms.models import SavedFilter
from dms.pagination import Paginator


class RoleRequiredMixin(AccessMixin):
    """Anonymous users go to the login page; signed-in users without one of ``allowed_roles`` get 403.

    Every concrete view declares ``allowed_roles``; one that does not fails when it is defined. A view
    some users of those roles may not use names the app's permission function in ``may_use``
    (``user -> bool``); the menus ask ``allows(user)``, so a page hidden from the menu is also a 403.
    """

    abstract = True
    allowed_roles = None
    may_use = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("abstract") and cls.allowed_roles is None:
            raise ImproperlyConfigured(f"{cls.__qualname__} must declare `allowed_roles`.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.allows(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def allows(cls, user) -> bool:
        """Whether ``user`` may open this view: one of its roles and, where it has one, its permission."""
        if not (user.is_authenticated and user.effective_role in cls.allowed_roles):
            return False
        return cls.may_use is None or cls.may_use(user)


class ScopedMixin(RoleRequiredMixin):
    """The queryset comes from ``selector(user=...)``, so objects outside the user's scope are 404."""

    abstract = True
    selector = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("abstract") and cls.selector is None:
            raise ImproperlyConfigured(f"{cls.__qualname__} must declare `selector`, the function that scopes it.")

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


class ScopedListView(ScopedMixin, ListView):
    """A paginated list filtered by the app's FilterSet (the same one the API uses)."""

    abstract = True
    filterset_class = None
    paginate_by = 25
    paginator_class = Paginator

    def get_queryset(self):
        qs = super().get_queryset()
        ordering = self.get_ordering()
        if ordering:
            # The list's own order first, so that a ``?sort=`` the FilterSet applies replaces it.
            qs = qs.order_by(*ordering)
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            style_form(self.filterset.form, small=True)
            qs = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else qs
        return qs

    def get_paginate_by(self, queryset):
        return lists.page_size(self.request.GET, default=self.paginate_by)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = getattr(self, "filterset", None)
        context.update(lists.paging_context(self.request.GET, default=self.paginate_by))
        if context["filterset"] is not None:
            context["saved_filters"] = lists.saved_filters(user=self.request.user, path=self.request.path)
            context["saved_query"] = lists.saved_query(self.request.GET)
        return context


class ScopedDetailView(ScopedMixin, DetailView):
    abstract = True


HQ = frozenset(HQ_ROLES)
HQ_ADMIN = frozenset({Role.HQ_ADMIN})
DEALER = frozenset(DEALER_ROLES)
EVERYONE = HQ | DEALER


def page_not_found(request, exception=None):
    """404 as JSON under /api/ (even for URLs no route matches), as a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": _("Server error.")}, status=500)
    return defaults.server_error(request)


def home(request):
    """Send each user to their own home: HQ console, dealer portal, or the login page."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return redirect("portal:home" if request.user.is_dealer_user else "hq:home")


@require_GET
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:
        return False, exc.__class__.__name__


def _check_migrations() -> tuple[bool, str]:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return False, exc.__class__.__name__
    return (not pending), ("ok" if not pending else f"{len(pending)} pending")


def _check_broker() -> tuple[bool, str]:
    from dms.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, exc.__class__.__name__


def _check_cache() -> tuple[bool, str]:
    from django.core.cache import cache

    try:
        cache.set("dms:readyz", "1", 5)
        return cache.get("dms:readyz") == "1", "ok"
    except Exception as exc:
        return False, exc.__class__.__name__


@require_GET
@never_cache
def readyz(request):
    checks = {
        "database": _check_database(),
        "migrations": _check_migrations(),
        "broker": _check_broker(),
        "cache": _check_cache(),
    }
    ready = all(ok for ok, _detail in checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: detail for name, (_ok, detail) in checks.items()},
        },
        status=200 if ready else 503,
    )


class SavedFilterCreateView(LoginRequiredMixin, View):
    """Save the list's current filter under a name, then show the list filtered by it."""

    def post(self, request):
        form = lists.SavedFilterForm(request.POST)
        if form.is_valid():
            saved = run_service(
                form,
                lists.saved_filter_save,
                actor=request.user,
                name=form.cleaned_data["name"],
                path=form.cleaned_data["path"],
                query=QueryDict(form.cleaned_data["query"]),
            )
            if saved is not None:
                messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
                return redirect(saved.url)
        return render(request, "lists/saved_filter_form.html", {"form": form}, status=422)


class SavedFilterDeleteView(LoginRequiredMixin, View):
    """Delete one of the user's saved filters and go back to its list; another user's is not found."""

    def post(self, request, pk):
        try:
            path = lists.saved_filter_delete(actor=request.user, pk=pk)
        except SavedFilter.DoesNotExist:
            raise Http404 from None
        messages.success(request, _("Saved filter deleted."))
        return redirect(path)
