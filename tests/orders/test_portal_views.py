"""The dealer's story in the portal: catalogue, cart, submission, the order page and its actions."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from orders import selectors, services
from orders.models import Order
from tests.factories.orders import ProductFactory, authorize, credit, price_list, stock
from tests.platform.field_errors import field_errors, field_value
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def portal():
    """``portal(user)``: a browser signed in as the user, reading the English pages."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    yield make
    translation.deactivate()  # a request leaves its language active in the thread, for the next test too


def page(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def cart_lines(user) -> dict:
    cart = selectors.current_draft(user=user)
    return {line.product.sku: line.quantity for line in cart.lines.select_related("product")} if cart else {}


def draft(user, *lines) -> Order:
    return services.order_create(
        actor=user, dealer=user.dealer, lines=[{"product": p, "quantity": q} for p, q in lines]
    )


class TestCatalogue:
    def test_search_and_product_line_show_the_dealers_prices_and_stock(self, portal, shop, dealer_admin, dealer_one):
        price_list(items={shop.kettle: "85.00"}, dealer=dealer_one)
        client = portal(dealer_admin)
        response = client.get(reverse("portal:catalogue"))
        assert [p.sku for p in response.context["products"]] == ["K-100", "K-200"]  # not the laundry line
        html = page(response)
        assert "¥85.00" in html and "In stock: 150" in html
        assert [p.sku for p in client.get(reverse("portal:catalogue"), {"q": "k-2"}).context["products"]] == ["K-200"]
        assert [p.sku for p in client.get(reverse("portal:catalogue"), {"q": "Product"}).context["products"]] == [
            "K-100",
            "K-200",
        ]
        codes = [str(code) for code, _label in response.context["filterset"].form.fields["product_line"].choices]
        assert "kitchen" in codes and "laundry" not in codes

    def test_availability_is_in_stock_low_or_out(self, portal, shop, dealer_admin):
        stock(shop.kettle, shop.main, 5)
        stock(shop.kettle, shop.spare, 0)
        stock(shop.oven, shop.main, 0)
        stock(shop.oven, shop.spare, 1)  # less than one pack of 2
        html = page(portal(dealer_admin).get(reverse("portal:catalogue")))
        assert "Low: 5 left" in html and "Out of stock" in html

    def test_add_to_cart_starts_the_cart_and_refuses_a_broken_pack(self, portal, shop, dealer_admin):
        client = portal(dealer_admin)
        back = reverse("portal:catalogue") + "?q=K"
        response = client.post(
            reverse("portal:cart_add"), {"product": shop.kettle.pk, "quantity": 3, "next": back}, follow=True
        )
        assert response.redirect_chain[-1][0] == back
        assert cart_lines(dealer_admin) == {"K-100": 3}
        assert any("Added 3 × K-100" in m for m in flashed(response))
        response = client.post(reverse("portal:cart_add"), {"product": shop.oven.pk, "quantity": 3}, follow=True)
        assert f"K-200 {shop.oven.name_en}: Order in multiples of 2." in flashed(response)
        assert cart_lines(dealer_admin) == {"K-100": 3}
        client.post(reverse("portal:cart_add"), {"product": shop.kettle.pk, "quantity": 2})
        assert cart_lines(dealer_admin) == {"K-100": 5}

    def test_a_bad_quantity_in_the_catalogue_names_the_product(self, portal, shop, dealer_admin):
        response = portal(dealer_admin).post(
            reverse("portal:cart_add"), {"product": shop.kettle.pk, "quantity": "0"}, follow=True
        )
        [message] = flashed(response)
        assert message.startswith(f"K-100 {shop.kettle.name_en}: ") and cart_lines(dealer_admin) == {}

    def test_a_product_outside_the_catalogue_cannot_be_added(self, portal, shop, dealer_admin):
        response = portal(dealer_admin).post(
            reverse("portal:cart_add"), {"product": shop.washer.pk, "quantity": 1}, follow=True
        )
        assert flashed(response) and cart_lines(dealer_admin) == {}

    def test_an_outside_next_is_not_followed(self, portal, shop, dealer_admin):
        response = portal(dealer_admin).post(
            reverse("portal:cart_add"), {"product": shop.kettle.pk, "quantity": 1, "next": "https://evil.example/"}
        )
        assert response["Location"] == reverse("portal:catalogue")

    def test_query_count_does_not_grow_with_the_products(self, portal, shop, dealer_admin):
        def add(n):
            for _ in range(n):
                stock(ProductFactory(product_line=shop.line), shop.main, 10)

        assert_flat_query_count(portal(dealer_admin), reverse("portal:catalogue"), add)


class TestCart:
    def test_lines_show_prices_amounts_and_totals(self, portal, shop, dealer_admin):
        draft(dealer_admin, (shop.kettle, 3), (shop.oven, 2))
        response = portal(dealer_admin).get(reverse("portal:cart"))
        totals = response.context["totals"]
        assert str(totals["gross"]) == "2300.00"
        assert totals["net"] + totals["vat"] == totals["gross"]
        html = page(response)
        assert "¥300.00" in html and "¥2,000.00" in html and "¥2,300.00" in html

    def test_quick_order_by_sku(self, portal, shop, dealer_admin):
        client = portal(dealer_admin)
        response = client.post(reverse("portal:cart_quick"), {"sku": " k-100 ", "quantity": 4})
        assert response.status_code == 302 and cart_lines(dealer_admin) == {"K-100": 4}
        response = client.post(reverse("portal:cart_quick"), {"sku": "L-100", "quantity": 1})
        assert response.context["quick_form"].errors["sku"] == ["L-100 is not in your catalogue."]
        response = client.post(reverse("portal:cart_quick"), {"sku": "K-200", "quantity": 1})
        assert response.context["quick_form"].errors["quantity"] == [
            f"K-200 {shop.oven.name_en}: Order in multiples of 2."
        ]
        assert cart_lines(dealer_admin) == {"K-100": 4}

    def test_pasted_lines_are_added_all_or_none(self, portal, shop, dealer_admin):
        client = portal(dealer_admin)
        response = client.post(reverse("portal:cart_paste"), {"lines": "K-100\t4\nK-200, 3\n\nX-9 1\nK-100 abc\nK-100"})
        errors = [(e.line, e.message) for e in response.context["import_errors"]]
        assert errors == [
            (2, "Order in multiples of 2."),
            (4, "X-9 is not in your catalogue."),
            (5, "“abc” is not a whole number of at least 1."),
            (6, "Write one SKU and one quantity, such as “K-100 10”."),
        ]
        assert "Nothing was added" in page(response)
        assert cart_lines(dealer_admin) == {}
        client.post(reverse("portal:cart_paste"), {"lines": "SKU\tQuantity\nK-100\t4\nk-200，2\nK-100 1"})
        assert cart_lines(dealer_admin) == {"K-100": 5, "K-200": 2}

    def test_uploaded_csv_and_excel_files(self, portal, shop, dealer_admin):
        client = portal(dealer_admin)
        csv = SimpleUploadedFile("lines.csv", "SKU,数量\r\nK-100,2\r\nK-300,1\r\n".encode("gb18030"))
        response = client.post(reverse("portal:cart_upload"), {"file": csv})
        assert [(e.line, e.text) for e in response.context["import_errors"]] == [(3, "K-300 1")]
        assert "Row 3" in page(response) and cart_lines(dealer_admin) == {}
        workbook = Workbook()
        workbook.active.append(["SKU", "Quantity"])
        workbook.active.append(["K-100", 2])
        workbook.active.append(["K-200", 4.0])
        content = io.BytesIO()
        workbook.save(content)
        client.post(reverse("portal:cart_upload"), {"file": SimpleUploadedFile("lines.xlsx", content.getvalue())})
        assert cart_lines(dealer_admin) == {"K-100": 2, "K-200": 4}
        response = client.post(
            reverse("portal:cart_upload"), {"file": SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0x")}
        )
        assert ".xls" in response.context["upload_form"].errors["file"][0]
        response = client.post(
            reverse("portal:cart_upload"), {"file": SimpleUploadedFile("x.csv", b"SKU,Colour\nK-100,red\n")}
        )
        assert "Unknown columns: Colour" in response.context["upload_form"].errors["file"][0]
        assert cart_lines(dealer_admin) == {"K-100": 2, "K-200": 4}

    def test_change_quantity_and_remove_lines(self, portal, shop, dealer_admin):
        draft(dealer_admin, (shop.kettle, 3), (shop.oven, 2))
        client = portal(dealer_admin)
        client.post(reverse("portal:cart_update"), {"product": shop.kettle.pk, "quantity": 7})
        assert cart_lines(dealer_admin) == {"K-100": 7, "K-200": 2}
        response = client.post(reverse("portal:cart_update"), {"product": shop.oven.pk, "quantity": 5}, follow=True)
        assert f"K-200 {shop.oven.name_en}: Order in multiples of 2." in flashed(response)
        client.post(reverse("portal:cart_update"), {"product": shop.oven.pk, "quantity": 0})
        assert cart_lines(dealer_admin) == {"K-100": 7}
        client.post(reverse("portal:cart_remove"), {"product": shop.kettle.pk})
        assert cart_lines(dealer_admin) == {}

    def test_lines_no_longer_authorised_are_removed_and_the_cart_still_takes_products(
        self, portal, shop, dealer_admin, dealer_one
    ):
        dryer = ProductFactory(sku="L-200", product_line=shop.other_line, name_en="Dryer")
        authorize(dealer_one, shop.other_line)
        draft(dealer_admin, (shop.kettle, 1), (shop.washer, 1), (dryer, 1))
        dealer_one.authorizations.filter(product_line=shop.other_line).delete()
        client = portal(dealer_admin)
        response = client.get(reverse("portal:cart"))
        notes = [line for line in response.context["lines"] if not line.orderable]
        assert [line.product.sku for line in notes] == ["L-100", "L-200"]
        assert "You can no longer order this product: remove it before submitting." in page(response)

        response = client.post(reverse("portal:cart_add"), {"product": shop.oven.pk, "quantity": 2}, follow=True)
        assert any("Added 2 × K-200" in m for m in flashed(response))
        response = client.post(reverse("portal:cart_quick"), {"sku": "K-100", "quantity": 1})
        assert response.status_code == 302
        response = client.post(reverse("portal:cart_submit"), follow=True)
        assert flashed(response)[-1:] == [
            "2 lines cannot be ordered; the first, L-100 "
            f"{shop.washer.name_en}: The dealer is not authorised to sell this product line here."
        ]
        response = client.post(reverse("portal:cart_remove"), {"product": shop.washer.pk}, follow=True)
        assert flashed(response) == ["Line removed."]
        response = client.post(reverse("portal:cart_update"), {"product": dryer.pk, "quantity": 2}, follow=True)
        assert flashed(response) == ["L-200 Dryer: The dealer is not authorised to sell this product line here."]
        response = client.post(reverse("portal:cart_update"), {"product": dryer.pk, "quantity": 0}, follow=True)
        assert flashed(response) == ["Cart updated."]
        assert cart_lines(dealer_admin) == {"K-100": 2, "K-200": 2}
        response = client.post(reverse("portal:cart_submit"), follow=True)
        assert any("is submitted and approved" in m for m in flashed(response))

    def test_a_bad_quantity_is_said_beside_its_line(self, portal, shop, dealer_admin):
        draft(dealer_admin, (shop.kettle, 1), (shop.oven, 2))
        response = portal(dealer_admin).post(
            reverse("portal:cart_update"), {"product": shop.kettle.pk, "quantity": "-1"}, follow=True
        )
        html = page(response)
        assert flashed(response) == []
        kettle = html.split(f'data-sku="{shop.kettle.sku}"')[1].split('data-testid="cart-line"')[0]
        assert "Ensure this value is greater than or equal to 0." in kettle and 'data-testid="line-note"' in kettle

    def test_delivery_details(self, portal, shop, dealer_admin):
        cart = draft(dealer_admin, (shop.kettle, 1))
        client = portal(dealer_admin)
        day = timezone.localdate() + datetime.timedelta(days=5)
        client.post(
            reverse("portal:cart_details"),
            {"requested_delivery_date": day.isoformat(), "ship_to_address": "杭州市余杭区 1 号", "note": "上午送"},
            follow=True,
        )
        cart.refresh_from_db()
        assert (cart.requested_delivery_date, cart.ship_to_address, cart.note) == (day, "杭州市余杭区 1 号", "上午送")
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        response = client.post(
            reverse("portal:cart_details"),
            {"requested_delivery_date": yesterday.isoformat(), "ship_to_address": "杭州市滨江区 2 号"},
        )
        html = page(response)
        assert response.status_code == 422 and flashed(response) == []
        past = "The requested delivery date cannot be in the past."
        assert field_errors(html, "id_requested_delivery_date") == [past]
        assert field_value(html, "id_ship_to_address") == "杭州市滨江区 2 号"
        cart.refresh_from_db()
        assert cart.requested_delivery_date == day


class TestSubmit:
    def test_approved_at_once_goes_to_the_order_page(self, portal, shop, dealer_admin, dealer_one):
        price_list(items={shop.kettle: "33.33"}, dealer=dealer_one)
        cart = draft(dealer_admin, (shop.kettle, 2), (shop.oven, 2))
        client = portal(dealer_admin)
        shown = client.get(reverse("portal:cart")).context["totals"]
        day = timezone.localdate() + datetime.timedelta(days=3)
        response = client.post(
            reverse("portal:cart_submit"),
            {"requested_delivery_date": day.isoformat(), "ship_to_address": "仓库 A", "note": ""},
            follow=True,
        )
        cart.refresh_from_db()
        assert cart.status == S.APPROVED and cart.requested_delivery_date == day
        assert (shown["net"], shown["vat"], shown["gross"]) == (cart.net_amount, cart.vat_amount, cart.gross_amount)
        assert response.redirect_chain[-1][0] == reverse("portal:order_detail", args=[cart.pk])
        assert f"Order {cart.number} is submitted and approved." in flashed(response)
        steps = {step.status: step.state for step in response.context["steps"]}
        assert steps == {
            "draft": "done",
            "submitted": "done",
            "approved": "current",
            "shipped": "upcoming",
            "delivered": "upcoming",
            "completed": "upcoming",
        }
        assert selectors.current_draft(user=dealer_admin) is None

    def test_pending_approval_says_why(self, portal, shop, dealer_admin, dealer_one):
        credit(dealer_one, "100.00", warehouse=shop.main)
        cart = draft(dealer_admin, (shop.kettle, 2))
        response = portal(dealer_admin).post(reverse("portal:cart_submit"), follow=True)
        cart.refresh_from_db()
        assert cart.status == S.PENDING_APPROVAL
        (message,) = flashed(response)
        assert "waits for head office's approval" in message and "past your credit limit" in message
        html = page(response)
        assert "the limit is ¥100.00" in html and "this order is ¥200.00" in html
        assert [s.status for s in response.context["steps"]][:3] == ["draft", "submitted", "pending_approval"]

    def test_insufficient_stock_stays_in_the_cart_with_what_is_available(self, portal, shop, dealer_admin):
        cart = draft(dealer_admin, (shop.kettle, 200), (shop.oven, 2))
        response = portal(dealer_admin).post(reverse("portal:cart_submit"), follow=True)
        cart.refresh_from_db()
        assert cart.status == S.DRAFT
        assert response.redirect_chain[-1][0] == reverse("portal:cart")
        notes = {line.product.sku: line.note for line in response.context["lines"]}
        assert notes == {"K-100": "Only 150 available; you asked for 200.", "K-200": ""}
        assert "Not enough stock for some lines" in flashed(response)[0]

    def test_other_refusals_are_messages(self, portal, shop, dealer_admin, dealer_one):
        draft(dealer_admin, (shop.kettle, 1))
        dealer_one.status = "suspended"
        dealer_one.save()
        response = portal(dealer_admin).post(reverse("portal:cart_submit"), follow=True)
        assert flashed(response) == ["This dealer cannot order in its current status."]
        assert response.redirect_chain[-1][0] == reverse("portal:cart")

    def test_an_empty_cart_cannot_be_submitted(self, portal, shop, dealer_admin):
        response = portal(dealer_admin).post(reverse("portal:cart_submit"), follow=True)
        assert flashed(response) == ["Your cart is empty."]

    def test_dealer_staff_can_order_too(self, portal, shop, dealer_staff):
        client = portal(dealer_staff)
        client.post(reverse("portal:cart_quick"), {"sku": "K-100", "quantity": 1})
        client.post(reverse("portal:cart_submit"))
        order = Order.objects.get(created_by=dealer_staff)
        assert order.status == S.APPROVED and order.dealer == dealer_staff.dealer


class TestOrderPages:
    def test_list_filters_by_status_and_number(self, portal, shop, dealer_admin):
        approved = services.order_submit(actor=dealer_admin, order=draft(dealer_admin, (shop.kettle, 1)))
        cart = draft(dealer_admin, (shop.kettle, 1))
        client = portal(dealer_admin)
        assert list(client.get(reverse("portal:orders")).context["orders"]) == [cart, approved]
        assert list(client.get(reverse("portal:orders"), {"status": "approved"}).context["orders"]) == [approved]
        assert list(client.get(reverse("portal:orders"), {"q": cart.number[-4:]}).context["orders"]) == [cart]

    def test_list_query_count_does_not_grow(self, portal, shop, dealer_admin):
        assert_flat_query_count(
            portal(dealer_admin),
            reverse("portal:orders"),
            lambda n: [draft(dealer_admin, (shop.kettle, 1)) for _ in range(n)],
        )

    def test_cancel_needs_a_reason(self, portal, shop, dealer_admin, dealer_one):
        credit(dealer_one, "0.00", warehouse=shop.main)
        order = services.order_submit(actor=dealer_admin, order=draft(dealer_admin, (shop.kettle, 1)))
        client = portal(dealer_admin)
        url = reverse("portal:order_cancel", args=[order.pk])
        response = client.post(url, {"reason": " "})
        order.refresh_from_db()
        assert order.status == S.PENDING_APPROVAL and response.status_code == 422 and flashed(response) == []
        assert field_errors(page(response), "id_reason") == ["This field is required."]
        response = client.post(url, {"reason": "订错型号"}, follow=True)
        order.refresh_from_db()
        assert order.status == S.CANCELLED and order.decision_reason == "订错型号"
        assert "订错型号" in page(response)
        assert response.context["steps"][-1].status == "cancelled"

    def test_a_rejected_order_shows_why(self, portal, shop, dealer_admin, dealer_one, hq_admin):
        credit(dealer_one, "0.00", warehouse=shop.main)
        order = services.order_submit(actor=dealer_admin, order=draft(dealer_admin, (shop.kettle, 1)))
        services.order_reject(actor=hq_admin, order=order, reason="额度不足")
        response = portal(dealer_admin).get(reverse("portal:order_detail", args=[order.pk]))
        assert [(s.status, s.state) for s in response.context["steps"]] == [
            ("draft", "done"),
            ("submitted", "done"),
            ("rejected", "stopped"),
        ]
        assert "Head office rejected this order." in page(response) and "额度不足" in page(response)

    def test_an_approved_order_cannot_be_cancelled_by_the_dealer(self, portal, shop, dealer_admin):
        order = services.order_submit(actor=dealer_admin, order=draft(dealer_admin, (shop.kettle, 1)))
        response = portal(dealer_admin).post(
            reverse("portal:order_cancel", args=[order.pk]), {"reason": "x"}, follow=True
        )
        assert flashed(response) == ["An approved order can only be cancelled by head office."]
        assert "cancel-order" not in page(response)

    def test_confirm_delivery_of_a_shipped_order_and_see_its_invoice(self, portal, shop, dealer_admin, hq_admin):
        order = services.order_submit(actor=dealer_admin, order=draft(dealer_admin, (shop.kettle, 2)))
        services.order_ship(actor=hq_admin, order=order)
        client = portal(dealer_admin)
        detail = client.get(reverse("portal:order_detail", args=[order.pk]))
        assert [invoice.gross_amount for invoice in detail.context["invoices"]] == [order.gross_amount]
        assert 'data-testid="confirm-delivery"' in page(detail)
        response = client.post(reverse("portal:order_deliver", args=[order.pk]), follow=True)
        order.refresh_from_db()
        assert order.status == S.DELIVERED
        assert "Thank you: delivery of" in flashed(response)[0]

    def test_reorder_puts_what_can_still_be_ordered_in_the_cart(self, portal, shop, dealer_admin):
        old = services.order_submit(actor=dealer_admin, order=draft(dealer_admin, (shop.kettle, 3), (shop.oven, 2)))
        shop.oven.is_active = False
        shop.oven.save()
        response = portal(dealer_admin).post(reverse("portal:order_reorder", args=[old.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("portal:cart")
        assert cart_lines(dealer_admin) == {"K-100": 3}
        messages = flashed(response)
        assert messages[0].startswith("1 line of " + old.number)
        assert "K-200" in messages[1] and "no longer sold" in messages[1]
        assert response.context["cart"].copied_from == old

    def test_an_older_draft_can_become_the_cart_or_be_submitted(self, portal, shop, dealer_admin):
        older = draft(dealer_admin, (shop.kettle, 1))
        newer = draft(dealer_admin, (shop.oven, 2))
        client = portal(dealer_admin)
        assert client.get(reverse("portal:cart")).context["cart"] == newer
        client.post(reverse("portal:order_edit", args=[older.pk]))
        assert client.get(reverse("portal:cart")).context["cart"] == older
        client.post(reverse("portal:cart_quick"), {"sku": "K-100", "quantity": 1})
        assert {line.quantity for line in older.lines.all()} == {2}
        response = client.post(reverse("portal:order_submit", args=[newer.pk]), follow=True)
        newer.refresh_from_db()
        assert newer.status == S.APPROVED
        assert response.redirect_chain[-1][0] == reverse("portal:order_detail", args=[newer.pk])
        assert client.get(reverse("portal:cart")).context["cart"] == older

    def test_another_dealers_order_is_not_found(self, portal, shop, dealer_admin, other_dealer_admin):
        order = draft(dealer_admin, (shop.kettle, 1))
        client = portal(other_dealer_admin)
        assert client.get(reverse("portal:order_detail", args=[order.pk])).status_code == 404
        for action in ("cancel", "reorder", "edit", "submit", "deliver"):
            assert client.post(reverse(f"portal:order_{action}", args=[order.pk]), {"reason": "x"}).status_code == 404
        order.refresh_from_db()
        assert order.status == S.DRAFT

    def test_another_dealers_draft_never_becomes_the_cart(self, portal, shop, dealer_admin, other_dealer_admin):
        order = draft(dealer_admin, (shop.kettle, 1))
        client = portal(other_dealer_admin)
        session = client.session
        session["orders.cart"] = order.pk
        session.save()
        assert client.get(reverse("portal:cart")).context["cart"] is None


@pytest.mark.parametrize(
    ("name", "method"),
    [("portal:catalogue", "get"), ("portal:cart", "get"), ("portal:orders", "get"), ("portal:statement", "get")]
    + [(f"portal:cart_{action}", "post") for action in ("add", "quick", "paste", "submit")],
)
def test_head_office_gets_403_on_portal_pages(portal, hq_admin, hq_staff, name, method):
    for user in (hq_admin, hq_staff):
        assert getattr(portal(user), method)(reverse(name)).status_code == 403
