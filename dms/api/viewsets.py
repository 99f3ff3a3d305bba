"""Base API views. Every viewset names the selector that scopes its queryset to the user and the
roles that may use it; a viewset that names neither fails when its class is defined."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, viewsets
from rest_framework.permissions import BasePermission

from dms.accounts.selectors import can_read_api_docs


class HasRole(BasePermission):
    """Allow only the roles the view lists for this action (deny by default)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.effective_role in view.roles_for_action()


class ReadsApiDocs(BasePermission):
    """The API documentation, for the users ``can_read_api_docs`` names."""

    def has_permission(self, request, view) -> bool:
        return can_read_api_docs(request.user)


class ScopedViewSetMixin:
    """``selector(user=...)`` supplies the queryset, so objects outside the user's scope are 404.

    ``allowed_roles`` lists who may call the endpoint at all; ``action_roles`` narrows single
    actions (``{"create": {...}}``).
    """

    abstract = True
    selector = None
    allowed_roles = None
    action_roles: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract"):
            return
        if cls.selector is None:
            raise ImproperlyConfigured(f"{cls.__qualname__} must declare `selector`, the function that scopes it.")
        if cls.allowed_roles is None:
            raise ImproperlyConfigured(f"{cls.__qualname__} must declare `allowed_roles`.")

    def roles_for_action(self):
        return self.action_roles.get(getattr(self, "action", None), self.allowed_roles)

    def get_permissions(self):
        return [*super().get_permissions(), HasRole()]

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    abstract = True


class ScopedViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Pick the mixins you need; writes go through services, never ``serializer.save()`` on a model."""

    abstract = True


__all__ = ["HasRole", "ScopedReadOnlyViewSet", "ScopedViewSet", "ScopedViewSetMixin", "mixins"]
