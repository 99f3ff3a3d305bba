"""Type-ahead pickers: the JSON they read is scoped to the user and costs a fixed number of queries; the forms
that use them still work without JavaScript; region names follow the interface language. And the public
pages carry the brand, offer only active product lines and no staff sign-in."""

import re

import pytest
from django.urls import reverse

from dealers.models import Dealer
from dms.accounts.services import user_update
from orders.models import Order
from tests.factories import DealerFactory, region
from tests.factories.orders import ProductFactory, ProductLineFactory
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db

DEALERS = reverse("dealers:picker_dealers")
REGIONS = reverse("dealers:picker_regions")
OWNERS = reverse("dealers:picker_owners")
PRODUCTS = reverse("orders:picker_products")


def texts(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [row["text"] for row in response.json()["results"]]


def test_a_rep_finds_only_the_dealers_of_the_territory(client_as, hq_admin, sales_rep, dealer_one, dealer_two):
    user_update(actor=hq_admin, user=sales_rep, regions=[region("330000")])
    rep = client_as(sales_rep)

    assert texts(rep.get(DEALERS, {"q": "经销商"})) == ["D00001 杭州一号经销商"]
    assert texts(rep.get(DEALERS, {"q": "D00002"})) == []
    # Naming a chosen dealer by id obeys the same scope.
    assert texts(rep.get(DEALERS, {"ids": f"{dealer_one.pk},{dealer_two.pk}"})) == ["D00001 杭州一号经销商"]
    assert texts(client_as(hq_admin).get(DEALERS, {"q": "d0000"})) == ["D00001 杭州一号经销商", "D00002 广州二号经销商"]


def test_the_dealer_picker_keeps_only_the_statuses_the_form_accepts(client_as, hq_admin, dealer_one):
    DealerFactory(code="D00009", name="停用经销商", status=Dealer.Status.SUSPENDED)
    admin = client_as(hq_admin)

    assert "D00009 停用经销商" in texts(admin.get(DEALERS, {"q": "D0000"}))
    assert texts(admin.get(DEALERS, {"q": "D0000", "status": "active,probation"})) == ["D00001 杭州一号经销商"]


@pytest.mark.parametrize("url", [DEALERS, REGIONS, OWNERS, PRODUCTS])
def test_pickers_are_head_office_only(client_as, client, dealer_admin, url):
    assert client_as(dealer_admin).get(url, {"q": "杭州"}).status_code == 403
    assert client.get(url, {"q": "杭州"}).status_code == 302


def test_a_picker_answers_at_most_twenty_rows_in_a_fixed_number_of_queries(client_as, hq_staff):
    client = client_as(hq_staff)
    made = []

    def add_dealers(n):
        made.extend(DealerFactory(name=f"宁波经销商{len(made) + i}") for i in range(n))

    assert_flat_query_count(client, f"{DEALERS}?q=宁波", add_dealers)
    assert len(texts(client.get(DEALERS, {"q": "宁波"}))) == 20


def test_a_product_picker_query_count_is_fixed(client_as, hq_admin):
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")

    def add_products(n):
        for _ in range(n):
            ProductFactory(product_line=line)

    assert_flat_query_count(client_as(hq_admin), f"{PRODUCTS}?q=SKU", add_products)


def test_region_names_follow_the_interface_language(client_as, hq_admin):
    admin = client_as(hq_admin)

    assert "浙江省 · 杭州市" in texts(admin.get(REGIONS, {"q": "杭州", "levels": "city"}))
    admin.cookies["django_language"] = "en"
    english = texts(admin.get(REGIONS, {"q": "Hangzhou", "levels": "city"}))
    assert "Zhejiang · Hangzhou" in english
    assert not any(re.search(r"[\u4e00-\u9fff]", name) for name in english)
    # Only the levels the asking field accepts.
    assert texts(admin.get(REGIONS, {"q": "330", "levels": "province"})) == ["Zhejiang"]

    # A filter's chosen region is labelled in English too.
    page = admin.get(reverse("orders:list"), {"region": "330100"}).content.decode()
    assert re.search(r'<option value="330100" selected>Zhejiang · Hangzhou</option>', page)


def test_the_owner_picker_lists_head_office_users(client_as, hq_admin, hq_staff, dealer_admin):
    found = texts(client_as(hq_admin).get(OWNERS, {"q": "e"}))
    assert str(hq_staff) in found
    assert str(dealer_admin) not in found


def test_a_form_with_a_picker_renders_only_the_chosen_dealer_and_submits_without_javascript(
    client_as, hq_admin, dealer_one, dealer_two
):
    client = client_as(hq_admin)
    page = client.get(reverse("orders:create"), {"dealer": dealer_one.pk}).content.decode()
    select = re.search(r'<select name="dealer".*?</select>', page, re.S).group(0)
    assert f'data-picker-url="{DEALERS}?status=active%2Cprobation"' in select
    assert f'<option value="{dealer_one.pk}" selected>D00001 杭州一号经销商</option>' in select
    assert "D00002" not in select

    response = client.post(reverse("orders:create"), {"dealer": dealer_two.pk})
    order = Order.objects.get()
    assert order.dealer == dealer_two
    assert response.status_code == 302


def test_a_dealer_filter_keeps_the_chosen_id_for_the_picker_to_name(client_as, hq_admin, dealer_one):
    page = client_as(hq_admin).get(reverse("orders:list"), {"dealer": dealer_one.pk}).content.decode()
    select = re.search(r'<select name="dealer".*?</select>', page, re.S).group(0)
    assert f'data-picker-url="{DEALERS}"' in select
    assert f'<option value="{dealer_one.pk}" selected>' in select


def test_served_regions_are_chosen_without_ctrl_click(client_as, hq_admin, dealer_one):
    page = client_as(hq_admin).get(reverse("dealers:edit", args=[dealer_one.pk])).content.decode()
    select = re.search(r'<select name="served_regions".*?</select>', page, re.S).group(0)
    assert "multiple" in select and 'data-picker="remote"' in select
    assert 'size="6"' not in select


def test_public_pages_carry_the_brand_and_no_staff_sign_in(client, settings):
    settings.BRAND_NAME = "好家电"
    settings.BRAND_LOGO = "img/favicon.svg"
    for url in (reverse("apply:form"), reverse("enquiry:form")):
        page = client.get(url).content.decode()
        brand = re.search(r'data-testid="brand".*?</span></span>', page, re.S).group(0)
        assert "好家电" in brand
        assert 'src="/static/img/favicon.svg"' in brand
        assert reverse("login") not in page
        assert "<title>" in page and "· 好家电</title>" in page


def test_public_pages_offer_only_active_product_lines(client):
    ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen", is_active=True)
    ProductLineFactory(code="retired", name="停产产品线", name_en="Retired", is_active=False)

    enquiry = client.get(reverse("enquiry:form")).content.decode()
    assert "厨房电器" in enquiry and "停产产品线" not in enquiry
    apply = client.get(reverse("apply:form")).content.decode()
    field = re.search(r'<input[^>]*name="product_lines_wanted"[^>]*>', apply).group(0)
    assert "厨房电器" in field and "停产产品线" not in field
    assert 'data-picker="tags"' in field
