"""Harness 1: every API operation and HTML route is in the declared matrix, and behaves as declared."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import include, path, reverse
from rest_framework import serializers
from rest_framework.test import APIClient

from dealers.models import DealerContact, Region
from dealers.services import application_submit, document_upload
from dms import events
from dms.accounts import verbs
from dms.accounts.services import token_create
from dms.events.models import Notification
from dms.events.services import events_publish
from dms.models import SavedFilter
from tests.factories import application_data, document_type, pdf_bytes
from tests.leads.matrix_world import leads_world
from tests.logistics.matrix_world import logistics_world
from tests.orders.matrix_world import orders_world
from tests.platform import permission_matrix as matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, other_dealer_admin):
    """Objects the parametrised paths point at."""
    users = {**users, "other_dealer": other_dealer_admin}
    for user in users.values():
        token_create(user=user, name="matrix")
        events.record(actor=None, verb=verbs.PASSWORD_CHANGED.code, target=user, notify=[user])
        SavedFilter.objects.create(user=user, name="matrix", path="/hq/dealers/")
    events_publish()
    DealerContact.objects.create(dealer=users["dealer_admin"].dealer, name="王芳", phone="13800138000")
    document = document_upload(
        actor=users["dealer_admin"],
        dealer=users["dealer_admin"].dealer,
        doc_type=document_type("business_licence"),
        file=SimpleUploadedFile("licence.pdf", pdf_bytes()),
        expires_on=datetime.date(2030, 1, 1),
    )
    dealer_event = events.record(
        actor=users["hq_admin"],
        verb=verbs.USER_UPDATED.code,
        target=users["dealer_admin"],
        dealer_id=users["dealer_admin"].dealer_id,
    )
    application, token = application_submit(source="public", **application_data(1))
    orders = orders_world(users)
    return {
        **orders,
        **leads_world(users),
        **logistics_world(users, orders["warehouse"], Region.objects.get(code="330100"), orders["shipped_order"]),
        "users": users,
        "dealer_event": dealer_event,
        "document": document,
        "application": application,
        "application_token": token,
    }


def owner_of_objects(viewer, world):
    """Whose token or notification the path names: the viewer's own, except for the other dealer,
    who aims at dealer 1's administrator's."""
    if viewer is None:
        return world["users"]["hq_staff"]
    if viewer == world["users"]["other_dealer"]:
        return world["users"]["dealer_admin"]
    return viewer


def object_id(param_path: str, viewer, world) -> int:
    """The object a path parameter names: an owned token/notification, else a shared sample."""
    for area in matrix.AREAS:
        found = area.object_id(param_path, world)
        if found is not None:
            return found
    if "/tokens/" in param_path or "token_revoke" in param_path:
        return owner_of_objects(viewer, world).api_tokens.first().pk
    if param_path == "saved_filter_delete":
        return owner_of_objects(viewer, world).saved_filters.first().pk
    if "/notifications/" in param_path or param_path == "notifications:read":
        return Notification.objects.filter(recipient=owner_of_objects(viewer, world)).first().pk
    if "/events/" in param_path:
        return world["dealer_event"].pk
    if param_path.startswith("portal:staff_"):
        return world["users"]["dealer_staff"].pk
    if "/dealer-applications/" in param_path or param_path.startswith("dealers:application"):
        return world["application"].pk
    if "/documents/" in param_path or param_path == "documents:file":
        return world["document"].pk
    if "/dealers/" in param_path or param_path.startswith("dealers:"):
        return world["users"]["dealer_admin"].dealer_id
    if "/regions/" in param_path:
        return Region.objects.get(code="330100").pk
    return world["users"]["hq_staff"].pk


def html_url(name: str, viewer, world) -> str:
    for area in matrix.AREAS:
        url = area.html_url(name, world)
        if url is not None:
            return url
    if name == "password_reset_confirm":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    if name == "apply:status":
        return reverse(name, args=[world["application"].pk, world["application_token"]])
    if name in ("dealers:document_verify", "dealers:document_reject"):
        return reverse(name, args=[world["document"].dealer_id, world["document"].pk])
    if name == "dealers:section":
        return reverse(name, args=[world["users"]["dealer_admin"].dealer_id, "orders"])
    if name == "dealers:contact_remove":
        dealer = world["users"]["dealer_admin"].dealer
        return reverse(name, args=[dealer.pk, dealer.contacts.first().pk])
    try:
        return reverse(name)
    except Exception:
        return reverse(name, args=[object_id(name, viewer, world)])


def request(kind, method, target, viewer, world):
    if kind == "api":
        client = APIClient()
        if viewer is not None:
            client.force_authenticate(viewer)
        url = re.sub(r"\{\w+\}", lambda _m: str(object_id(target, viewer, world)), target)
        return getattr(client, method.lower())(url, {}, format="json")
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    return getattr(client, method.lower())(html_url(target, viewer, world))


def test_every_operation_and_route_is_declared():
    assert matrix.unlisted() == set()


def test_the_matrix_has_no_stale_entries():
    assert set(matrix.API) <= matrix.api_operations()
    assert set(matrix.HTML) <= matrix.html_routes()


@pytest.mark.parametrize(
    ("kind", "method", "target"),
    [("api", m, p) for m, p in sorted(matrix.API)] + [("html", m, n) for m, n in sorted(matrix.HTML)],
)
def test_each_role_gets_the_declared_outcome(world, kind, method, target):
    expected = (matrix.API if kind == "api" else matrix.HTML)[(method, target)]
    seen = {}
    for role in matrix.ROLES:
        viewer = world["users"].get(role)
        with transaction.atomic():
            seen[role] = matrix.classify(request(kind, method, target, viewer, world))
            transaction.set_rollback(True)
    assert seen == expected


class _Probe(serializers.Serializer):
    name = serializers.CharField()


def test_an_unlisted_endpoint_fails_the_harness(settings):
    """The harness itself: adding an endpoint and a page without matrix entries is caught."""
    from django.http import HttpResponse
    from django.views import View
    from rest_framework.decorators import api_view

    import dms.urls

    @api_view(["GET"])
    def probe(request):
        return HttpResponse()

    class ProbePage(View):
        def get(self, request):
            return HttpResponse()

    urls = type(
        "Urls",
        (),
        {
            "urlpatterns": [
                path("api/v1/probe/", probe, name="probe"),
                path("probe/", ProbePage.as_view(), name="probe_page"),
                path("", include(dms.urls.urlpatterns)),
            ]
        },
    )
    settings.ROOT_URLCONF = urls
    assert matrix.unlisted(urls) == {("GET", "/api/v1/probe/"), ("GET", "probe_page")}
