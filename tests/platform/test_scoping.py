"""The scoping mechanism: a view or viewset that does not say how it is scoped cannot be defined."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from dms.api.viewsets import ScopedViewSet
from dms.events.selectors import event_list
from dms.views import HQ, ScopedDetailView, ScopedListView


def test_a_list_view_without_a_selector_fails_when_defined():
    with pytest.raises(ImproperlyConfigured, match="selector"):

        class Unscoped(ScopedListView):
            allowed_roles = HQ


def test_a_detail_view_without_roles_fails_when_defined():
    with pytest.raises(ImproperlyConfigured, match="allowed_roles"):

        class NoRoles(ScopedDetailView):
            selector = event_list


def test_a_viewset_without_a_selector_fails_when_defined():
    with pytest.raises(ImproperlyConfigured, match="selector"):

        class Unscoped(ScopedViewSet):
            allowed_roles = HQ


def test_a_viewset_without_roles_fails_when_defined():
    with pytest.raises(ImproperlyConfigured, match="allowed_roles"):

        class NoRoles(ScopedViewSet):
            selector = event_list


def test_a_fully_declared_view_is_accepted():
    class Scoped(ScopedListView):
        allowed_roles = HQ
        selector = event_list

    assert Scoped.selector is event_list
