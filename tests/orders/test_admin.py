"""Admin edits the catalogue through the services; orders and money are read-only there."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dms.events.models import Event
from orders.models import DealerAuthorization, PriceList, Product
from tests.factories import region

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "x-long-password-1", role="hq_admin")
    client.force_login(user)
    return user


def inline(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_a_product_added_in_admin_is_saved_by_the_service(client, root, shop):
    response = client.post(
        reverse("admin:orders_product_add"),
        {
            "sku": "K-900",
            "name": "破壁机",
            "name_en": "Blender",
            "product_line": shop.line.pk,
            "unit": "piece",
            "pack_size": "2",
            "base_price": "799.00",
            "vat_rate": "0.130",
            "weight_kg": "3.5",
            "volume_m3": "0.02",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    assert Product.objects.get(sku="K-900").pack_size == 2
    assert Event.objects.filter(verb="orders.catalogue_changed", actor=root).exists()


def test_a_price_list_and_its_prices_are_saved_together(client, root, shop, dealer_one):
    response = client.post(
        reverse("admin:orders_pricelist_add"),
        {
            "name": "B 级 2026",
            "kind": "tier",
            "tier": "B",
            "valid_from": "2026-01-01",
            **inline(
                "items", [{"product": shop.kettle.pk, "price": "88.00"}, {"product": shop.oven.pk, "price": "900"}]
            ),
        },
    )
    assert response.status_code == 302, response.content
    plist = PriceList.objects.get(name="B 级 2026")
    assert sorted((i.product.sku, str(i.price)) for i in plist.items.all()) == [("K-100", "88.00"), ("K-200", "900.00")]


def test_an_authorisation_with_regions(client, root, shop, dealer_two):
    response = client.post(
        reverse("admin:orders_dealerauthorization_add"),
        {
            "dealer": dealer_two.pk,
            "product_line": shop.other_line.pk,
            "regions": [region("330000").pk],
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302, response.content
    auth = DealerAuthorization.objects.get(dealer=dealer_two)
    assert [r.code for r in auth.regions.all()] == ["330000"]


def test_orders_and_money_are_read_only(client, root, shop):
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 200
    assert client.get(reverse("admin:orders_order_add")).status_code == 403
    assert client.get(reverse("admin:orders_stocklevel_changelist")).status_code == 200
    assert client.get(reverse("admin:orders_payment_add")).status_code == 403


def test_catalogue_edits_in_admin_need_the_catalogue_permission(client, shop):
    from django.contrib.auth.models import Permission

    staff = get_user_model().objects.create_user("clerk", password="x-long-password-1", role="hq_staff", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_product", "change_product", "delete_product"])
    )
    client.force_login(staff)
    change = reverse("admin:orders_product_change", args=[shop.kettle.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"sku": "K-100", "name": "x"}).status_code == 403
    assert (
        client.post(reverse("admin:orders_product_delete", args=[shop.kettle.pk]), {"post": "yes"}).status_code == 403
    )
    assert Product.objects.filter(pk=shop.kettle.pk, name=shop.kettle.name).exists()
