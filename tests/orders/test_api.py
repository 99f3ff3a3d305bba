"""The orders API as a client sees it: ordering, prices, the order desk, invoices, payments and credit."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services
from orders.models import Invoice, Order, Payment, Product
from tests.factories import DealerFactory
from tests.factories.orders import ProductFactory, authorize, credit, grant, price_list, stock
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db


def create_order(client, lines, **body):
    return client.post("/api/v1/orders/", {"lines": lines, **body}, format="json")


def line(product, quantity):
    return {"product": product.pk, "quantity": quantity}


def submitted_order(actor, dealer, *lines):
    order = services.order_create(actor=actor, dealer=dealer, lines=[{"product": p, "quantity": q} for p, q in lines])
    return services.order_submit(actor=actor, order=order)


def shipped_order(hq_admin, dealer, *lines):
    return services.order_ship(actor=hq_admin, order=submitted_order(hq_admin, dealer, *lines))


def level(client, warehouse, product):
    rows = client.get("/api/v1/stock/", {"warehouse": warehouse.code, "product": product.pk}).json()["results"]
    return {key: rows[0][key] for key in ("on_hand", "reserved", "available")}


# Ordering ---------------------------------------------------------------------------------------


def test_a_dealer_creates_a_draft_and_submits_it_approved_at_once(api_as, dealer_admin, shop):
    client = api_as(dealer_admin)
    created = create_order(client, [line(shop.kettle, 2), line(shop.oven, 2)], note="周五前送达")
    assert created.status_code == 201, created.json()
    draft = created.json()
    assert draft["status"] == "draft" and draft["dealer"] == dealer_admin.dealer_id
    assert draft["number"].startswith("SO-") and draft["note"] == "周五前送达"
    assert [row["unit_price"] for row in draft["lines"]] == [None, None]

    submitted = client.post(f"/api/v1/orders/{draft['id']}/submit/")
    assert submitted.status_code == 200, submitted.json()
    order = submitted.json()
    assert order["status"] == "approved" and order["approval_reasons"] == []
    kettle = next(row for row in order["lines"] if row["sku"] == "K-100")
    assert kettle["unit_price"] == "100.00" and kettle["gross_amount"] == "200.00"
    assert kettle["reservations"] == [{"warehouse": "HZ", "quantity": 2}]
    assert order["gross_amount"] == "2200.00"


def test_an_order_past_the_credit_limit_waits_for_approval_with_its_reasons(api_as, dealer_admin, shop):
    credit(dealer_admin.dealer, "150.00", warehouse=shop.main)
    client = api_as(dealer_admin)
    draft = create_order(client, [line(shop.kettle, 2)]).json()
    order = client.post(f"/api/v1/orders/{draft['id']}/submit/").json()
    assert order["status"] == "pending_approval"
    assert order["approval_reasons"] == [
        {"code": "credit_limit", "limit": "150.00", "exposure": "0.00", "amount": "200.00"}
    ]


def test_short_stock_refuses_the_submission_and_says_what_is_available(api_as, dealer_admin, hq_admin, shop):
    client = api_as(dealer_admin)
    draft = create_order(client, [line(shop.kettle, 151), line(shop.oven, 2)]).json()
    response = client.post(f"/api/v1/orders/{draft['id']}/submit/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["data"]["lines"] == [{"product": shop.kettle.pk, "sku": "K-100", "requested": 151, "available": 150}]
    assert client.get(f"/api/v1/orders/{draft['id']}/").json()["status"] == "draft"
    assert level(api_as(hq_admin), shop.main, shop.oven) == {"on_hand": 100, "reserved": 0, "available": 100}


def test_head_office_orders_for_a_dealer_and_a_dealer_only_for_itself(
    api_as, hq_staff, dealer_admin, other_dealer_admin, shop
):
    hq = api_as(hq_staff)
    missing = create_order(hq, [line(shop.kettle, 1)])
    assert missing.status_code == 400 and "dealer" in missing.json()["fields"]
    created = create_order(hq, [line(shop.kettle, 1)], dealer=dealer_admin.dealer_id, ship_to_region="330100")
    assert created.status_code == 201 and created.json()["dealer_code"] == "D00001"
    assert created.json()["ship_to_region"] == "330100"
    other = create_order(api_as(dealer_admin), [line(shop.kettle, 1)], dealer=other_dealer_admin.dealer_id)
    assert other.status_code == 403 and other.json()["code"] == "permission_denied"


def test_a_dealer_cannot_read_change_or_submit_another_dealers_order(api_as, dealer_admin, other_dealer_admin, shop):
    order = services.order_create(actor=dealer_admin, dealer=dealer_admin.dealer, lines=[line(shop.kettle, 1)])
    client = api_as(other_dealer_admin)
    url = f"/api/v1/orders/{order.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"note": "x"}, format="json").status_code == 404
    assert client.post(f"{url}submit/").status_code == 404
    assert client.post(f"{url}cancel/", {"reason": "x"}, format="json").status_code == 404
    assert client.get("/api/v1/orders/").json()["count"] == 0
    order.refresh_from_db()
    assert (order.status, order.note) == ("draft", "")


@pytest.mark.parametrize("order_id", ["999999999", "99999999999999999999", "x1"])
def test_submitting_an_order_that_does_not_exist_is_404(api_as, dealer_admin, order_id):
    response = api_as(dealer_admin).post(f"/api/v1/orders/{order_id}/submit/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_draft_is_changed_with_patch_and_a_submitted_order_is_not(api_as, dealer_admin, shop):
    client = api_as(dealer_admin)
    draft = create_order(client, [line(shop.kettle, 1)]).json()
    url = f"/api/v1/orders/{draft['id']}/"
    changed = client.patch(url, {"lines": [line(shop.oven, 4)], "note": "改为烤箱"}, format="json")
    assert changed.status_code == 200
    assert [(row["sku"], row["quantity"]) for row in changed.json()["lines"]] == [("K-200", 4)]
    client.post(f"{url}submit/")
    refused = client.patch(url, {"note": "再改"}, format="json")
    assert refused.status_code == 422 and refused.json()["code"] == "order_not_draft"


def test_lines_no_longer_authorised_do_not_block_changing_the_draft(api_as, dealer_admin, dealer_one, shop):
    dryer = ProductFactory(sku="L-200", product_line=shop.other_line, name="烘干机", name_en="")
    authorize(dealer_one, shop.other_line)
    client = api_as(dealer_admin)
    draft = create_order(client, [line(shop.kettle, 1), line(shop.washer, 1), line(dryer, 1)]).json()
    dealer_one.authorizations.filter(product_line=shop.other_line).delete()
    url = f"/api/v1/orders/{draft['id']}/"
    changed = client.patch(url, {"lines": [line(shop.kettle, 1), line(dryer, 1), line(shop.oven, 2)]}, format="json")
    assert changed.status_code == 200
    assert sorted(row["sku"] for row in changed.json()["lines"]) == ["K-100", "K-200", "L-200"]
    refused = client.post(f"{url}submit/")
    assert refused.status_code == 422 and refused.json()["code"] == "not_authorized"
    assert "L-200 烘干机" in refused.json()["detail"]
    grown = client.patch(url, {"lines": [line(shop.kettle, 1), line(dryer, 2)]}, format="json")
    assert grown.status_code == 422 and grown.json()["data"]["lines"][0]["sku"] == "L-200"
    changed = client.patch(url, {"lines": [line(shop.kettle, 1), line(shop.oven, 2)]}, format="json")
    assert changed.status_code == 200
    assert client.post(f"{url}submit/").json()["status"] == "approved"


@pytest.mark.parametrize(
    ("product", "quantity", "code"),
    [("oven", 3, "pack_multiple"), ("washer", 1, "not_authorized")],
)
def test_lines_that_cannot_be_ordered_have_stable_codes(api_as, dealer_admin, shop, product, quantity, code):
    response = create_order(api_as(dealer_admin), [line(getattr(shop, product), quantity)])
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and body["data"]["lines"][0]["sku"] == getattr(shop, product).sku
    assert not Order.objects.exists()


def test_copy_makes_a_new_draft_and_lists_the_lines_it_skipped(api_as, dealer_admin, hq_admin, shop):
    authorize(dealer_admin.dealer, shop.other_line)
    order = submitted_order(dealer_admin, dealer_admin.dealer, (shop.kettle, 1), (shop.washer, 1))
    services.catalogue_save(actor=hq_admin, model=Product, instance=shop.washer, fields={"is_active": False})
    response = api_as(dealer_admin).post(f"/api/v1/orders/{order.pk}/copy/")
    assert response.status_code == 201
    body = response.json()
    assert body["order"]["status"] == "draft" and body["order"]["copied_from"] == order.pk
    assert [row["sku"] for row in body["order"]["lines"]] == ["K-100"]
    assert [(row["sku"], row["code"]) for row in body["skipped"]] == [("L-100", "product_inactive")]


# The order desk ---------------------------------------------------------------------------------


def test_approving_past_the_credit_limit_needs_the_override_permission_and_a_reason(
    api_as, hq_staff, dealer_admin, shop
):
    credit(dealer_admin.dealer, "100.00", warehouse=shop.main)
    order = submitted_order(dealer_admin, dealer_admin.dealer, (shop.kettle, 2))
    client = api_as(hq_staff)
    url = f"/api/v1/orders/{order.pk}/approve/"
    assert client.post(url, {"reason": "老客户"}).json()["code"] == "permission_denied"
    grant(hq_staff, "approve_order")
    refused = client.post(url, {"reason": "老客户"})
    assert refused.status_code == 403 and refused.json()["code"] == "credit_override_required"
    grant(hq_staff, "approve_credit_override")
    no_reason = client.post(url, {})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    approved = client.post(url, {"reason": "老客户，下周回款"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["credit_override"] is True
    assert approved.json()["decision_reason"] == "老客户，下周回款" and approved.json()["decided_by"] == hq_staff.pk


def test_an_order_waiting_only_for_its_size_is_approved_without_the_override(
    api_as, hq_staff, dealer_admin, shop, settings
):
    settings.DMS_ORDER_APPROVAL_AMOUNT = 150
    order = submitted_order(dealer_admin, dealer_admin.dealer, (shop.kettle, 2))
    assert order.status == "pending_approval"
    grant(hq_staff, "approve_order")
    approved = api_as(hq_staff).post(f"/api/v1/orders/{order.pk}/approve/", {})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["credit_override"] is False


def test_reject_and_cancel_need_a_reason(api_as, hq_admin, dealer_admin, shop):
    credit(dealer_admin.dealer, "0.00", warehouse=shop.main)
    order = submitted_order(dealer_admin, dealer_admin.dealer, (shop.kettle, 2))
    hq = api_as(hq_admin)
    for action in ("reject", "cancel"):
        response = hq.post(f"/api/v1/orders/{order.pk}/{action}/", {"reason": " "})
        assert response.status_code == 400 and "reason" in response.json()["fields"]
    cancelled = api_as(dealer_admin).post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "不需要了"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert level(hq, shop.main, shop.kettle) == {"on_hand": 100, "reserved": 0, "available": 100}


def test_shipping_issues_the_invoice_and_takes_the_stock_out(api_as, hq_admin, dealer_admin, shop):
    order = submitted_order(dealer_admin, dealer_admin.dealer, (shop.kettle, 3))
    hq = api_as(hq_admin)
    assert level(hq, shop.main, shop.kettle) == {"on_hand": 100, "reserved": 3, "available": 97}
    shipped = hq.post(f"/api/v1/orders/{order.pk}/ship/")
    assert shipped.status_code == 200
    assert shipped.json()["status"] == "shipped" and shipped.json()["invoice_number"].startswith("INV-")
    assert level(hq, shop.main, shop.kettle) == {"on_hand": 97, "reserved": 0, "available": 97}
    invoice = api_as(dealer_admin).get(f"/api/v1/invoices/{shipped.json()['invoice']}/").json()
    today = timezone.localdate()
    assert invoice["order_number"] == order.number and invoice["gross_amount"] == "300.00"
    assert (invoice["status"], invoice["outstanding"], invoice["days_overdue"]) == ("open", "300.00", 0)
    assert invoice["due_on"] == str(today + datetime.timedelta(days=30))
    delivered = api_as(dealer_admin).post(f"/api/v1/orders/{order.pk}/deliver/")
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"


def test_only_the_warehouse_adjusts_stock_and_gets_the_level_after(api_as, hq_staff, shop):
    client = api_as(hq_staff)
    body = {"warehouse": "SH", "product": shop.kettle.pk, "delta": -20, "reason": "盘亏"}
    refused = client.post("/api/v1/stock/adjust/", body)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    grant(hq_staff, "adjust_stock")
    adjusted = client.post("/api/v1/stock/adjust/", body)
    assert adjusted.status_code == 200
    assert adjusted.json() | {"updated_at": None} == {
        "id": adjusted.json()["id"],
        "warehouse": "SH",
        "product": shop.kettle.pk,
        "sku": "K-100",
        "on_hand": 30,
        "reserved": 0,
        "available": 30,
        "updated_at": None,
    }
    too_much = client.post("/api/v1/stock/adjust/", {**body, "delta": -31})
    assert too_much.status_code == 422 and too_much.json()["code"] == "stock_below_reserved"


# Prices -----------------------------------------------------------------------------------------


@pytest.fixture
def prices(shop, dealer_one, dealer_two):
    price_list(items={shop.kettle: "90.00"}, dealer=dealer_one)
    price_list(items={shop.oven: "950.00"}, tier=dealer_one.tier)
    return price_list(items={shop.kettle: "80.00"}, dealer=dealer_two)


def test_stock_filters_take_the_product_id_and_the_sku_separately(api_as, hq_staff, shop):
    client = api_as(hq_staff)
    rows = client.get("/api/v1/stock/", {"product": shop.oven.pk}).json()["results"]
    assert {(row["product"], row["sku"]) for row in rows} == {(shop.oven.pk, "K-200")} and len(rows) == 2
    rows = client.get("/api/v1/stock/", {"sku": "k-"}).json()["results"]
    assert {row["sku"] for row in rows} == {"K-100", "K-200"}
    refused = client.get("/api/v1/stock/", {"product": "K-200"})
    assert refused.status_code == 400 and "product" in refused.json()["fields"]


def test_a_dealer_sees_only_authorised_products_at_its_own_price(api_as, dealer_staff, other_dealer_admin, prices):
    products = api_as(dealer_staff).get("/api/v1/products/").json()["results"]
    assert [(p["sku"], p["price"], p["price_source"], p["available"]) for p in products] == [
        ("K-100", "90.00", "dealer", 150),
        ("K-200", "950.00", "tier", 150),
    ]
    other = api_as(other_dealer_admin)
    assert other.get("/api/v1/products/").json()["count"] == 0
    assert other.get(f"/api/v1/products/{products[0]['id']}/").status_code == 404


def test_a_dealer_never_sees_another_dealers_price_list_invoice_or_credit(
    api_as, hq_admin, dealer_admin, dealer_two, prices, shop
):
    authorize(dealer_two, shop.line)
    credit(dealer_two, "1000.00", warehouse=shop.main)
    invoice = shipped_order(hq_admin, dealer_two, (shop.kettle, 1)).invoices.get()
    client = api_as(dealer_admin)
    visible = {(row["kind"], row["dealer"]) for row in client.get("/api/v1/price-lists/").json()["results"]}
    assert visible == {("dealer", dealer_admin.dealer_id), ("tier", None)}
    assert client.get(f"/api/v1/price-lists/{prices.pk}/").status_code == 404
    assert client.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 404
    assert client.get("/api/v1/invoices/").json()["count"] == 0
    assert client.get(f"/api/v1/dealers/{dealer_two.pk}/credit/").status_code == 404


def test_head_office_sees_the_prices_a_dealer_pays(api_as, hq_admin, sales_rep, dealer_one, prices, shop):
    client = api_as(hq_admin)
    url = f"/api/v1/products/{shop.kettle.pk}/"
    assert (client.get(url).json()["price"], client.get(url).json()["price_source"]) == ("100.00", "base")
    priced = client.get(url, {"dealer": dealer_one.pk}).json()
    assert (priced["price"], priced["price_source"]) == ("90.00", "dealer")
    listed = client.get("/api/v1/products/", {"dealer": dealer_one.pk, "q": "K-2"}).json()["results"]
    assert [(p["sku"], p["price"]) for p in listed] == [("K-200", "950.00")]
    assert client.get(url, {"dealer": "abc"}).status_code == 400
    assert client.get(url, {"dealer": 10**9}).status_code == 404
    assert api_as(sales_rep).get("/api/v1/products/", {"dealer": dealer_one.pk}).status_code == 404


def test_head_office_keeps_price_lists_with_their_items(api_as, hq_admin, hq_staff, dealer_one, shop):
    body = {
        "name": "杭州一号专属价",
        "kind": "dealer",
        "dealer": dealer_one.pk,
        "items": [{"product": shop.kettle.pk, "price": "88.00"}],
    }
    assert api_as(hq_staff).post("/api/v1/price-lists/", body, format="json").status_code == 403
    created = api_as(hq_admin).post("/api/v1/price-lists/", body, format="json")
    assert created.status_code == 201
    assert created.json()["items"] == [{"product": shop.kettle.pk, "sku": "K-100", "price": "88.00"}]
    duplicate = {**body, "items": body["items"] * 2}
    assert api_as(hq_admin).post("/api/v1/price-lists/", duplicate, format="json").status_code == 400
    changed = api_as(hq_admin).patch(
        f"/api/v1/price-lists/{created.json()['id']}/", {"items": [{"product": shop.oven.pk, "price": "900"}]}
    )
    assert [item["sku"] for item in changed.json()["items"]] == ["K-200"]


def test_head_office_edits_the_catalogue_through_the_api(api_as, hq_admin, shop):
    client = api_as(hq_admin)
    created = client.post(
        "/api/v1/products/",
        {"sku": "K-300", "name": "电饭煲", "product_line": "kitchen", "base_price": "399.00", "pack_size": 6},
    )
    assert created.status_code == 201
    assert (created.json()["product_line"], created.json()["price"], created.json()["available"]) == (
        "kitchen",
        "399.00",
        0,
    )
    renamed = client.patch(f"/api/v1/products/{created.json()['id']}/", {"name_en": "Rice cooker"})
    assert renamed.json()["name_en"] == "Rice cooker"
    unknown_line = client.post("/api/v1/products/", {"sku": "X", "name": "x", "product_line": "nope", "base_price": 1})
    assert unknown_line.status_code == 400 and "product_line" in unknown_line.json()["fields"]


# Payments and credit ----------------------------------------------------------------------------


def test_payments_pay_the_oldest_invoice_first_and_keep_an_overpayment(api_as, hq_admin, dealer_admin, shop):
    first = shipped_order(hq_admin, dealer_admin.dealer, (shop.kettle, 1)).invoices.get()
    second = shipped_order(hq_admin, dealer_admin.dealer, (shop.kettle, 2)).invoices.get()
    Invoice.objects.filter(pk=first.pk).update(due_on=first.due_on - datetime.timedelta(days=10))
    client = api_as(hq_admin)
    body = {"dealer": dealer_admin.dealer_id, "amount": "150.00", "received_on": str(timezone.localdate())}
    paid = client.post("/api/v1/payments/", {**body, "reference": "BANK-1"})
    assert paid.status_code == 201
    assert [(a["invoice"], a["amount"]) for a in paid.json()["allocations"]] == [
        (first.pk, "100.00"),
        (second.pk, "50.00"),
    ]
    over = client.post("/api/v1/payments/", {**body, "amount": "200.00", "reference": "BANK-2"}).json()
    assert over["unallocated_amount"] == "50.00"
    invoices = {row["id"]: row for row in api_as(dealer_admin).get("/api/v1/invoices/").json()["results"]}
    assert (invoices[first.pk]["status"], invoices[second.pk]["status"]) == ("paid", "paid")
    assert [a["reference"] for a in invoices[second.pk]["allocations"]] == ["BANK-1", "BANK-2"]
    position = api_as(dealer_admin).get(f"/api/v1/dealers/{dealer_admin.dealer_id}/credit/").json()
    assert (position["open_invoices"], position["unallocated"]) == ("0.00", "50.00")


def test_a_payment_reference_is_unique_per_dealer(api_as, hq_admin, dealer_one, dealer_two):
    client = api_as(hq_admin)
    body = {"amount": "10.00", "received_on": str(timezone.localdate()), "reference": "BANK-7"}
    assert client.post("/api/v1/payments/", {**body, "dealer": dealer_one.pk}).status_code == 201
    again = client.post("/api/v1/payments/", {**body, "dealer": dealer_one.pk})
    assert again.status_code == 409 and again.json()["code"] == "payment_reference_taken"
    assert client.post("/api/v1/payments/", {**body, "dealer": dealer_two.pk}).status_code == 201


def test_recording_a_payment_needs_the_permission(api_as, hq_staff, dealer_one):
    body = {"dealer": dealer_one.pk, "amount": "10.00", "received_on": str(timezone.localdate()), "reference": "R"}
    response = api_as(hq_staff).post("/api/v1/payments/", body)
    assert response.status_code == 403 and not Payment.objects.exists()


def test_the_credit_position_adds_up(api_as, hq_admin, dealer_admin, shop):
    invoice = shipped_order(hq_admin, dealer_admin.dealer, (shop.kettle, 1)).invoices.get()
    services.payment_record(
        actor=hq_admin, dealer=dealer_admin.dealer, amount="30.00", received_on=timezone.localdate(), reference="P1"
    )
    submitted_order(dealer_admin, dealer_admin.dealer, (shop.kettle, 2))
    today = timezone.localdate()
    Invoice.objects.filter(pk=invoice.pk).update(
        issued_on=today - datetime.timedelta(days=70), due_on=today - datetime.timedelta(days=40)
    )
    position = api_as(dealer_admin).get(f"/api/v1/dealers/{dealer_admin.dealer_id}/credit/").json()
    assert position | {"overdue_invoices": None} == {
        "dealer": dealer_admin.dealer_id,
        "credit_limit": "100000.00",
        "open_invoices": "70.00",
        "open_orders": "200.00",
        "unallocated": "0.00",
        "exposure": "270.00",
        "available": "99730.00",
        "overdue_amount": "70.00",
        "oldest_overdue_days": 40,
        "overdue_invoices": None,
    }
    assert [(i["number"], i["days_overdue"]) for i in position["overdue_invoices"]] == [(invoice.number, 40)]


def test_setting_the_credit_limit_needs_the_permission_and_a_reason(api_as, hq_staff, dealer_admin, shop):
    url = f"/api/v1/dealers/{dealer_admin.dealer_id}/credit-limit/"
    client = api_as(hq_staff)
    body = {"credit_limit": "250000.00", "reason": "年度评审上调"}
    assert client.post(url, body).json()["code"] == "permission_denied"
    assert api_as(dealer_admin).post(url, body).status_code == 403
    grant(hq_staff, "change_credit_limit")
    no_reason = client.post(url, {"credit_limit": "250000.00"})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    changed = client.post(url, body)
    assert changed.status_code == 200 and changed.json()["credit_limit"] == "250000.00"
    assert changed.json()["available"] == "250000.00"


# Idempotency ------------------------------------------------------------------------------------


def test_a_replayed_order_create_returns_the_same_order(api_as, dealer_admin, shop):
    client = api_as(dealer_admin)
    body = {"lines": [line(shop.kettle, 2)]}
    first = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert Order.objects.count() == 1
    other = client.post(
        "/api/v1/orders/", {"lines": [line(shop.kettle, 4)]}, format="json", HTTP_IDEMPOTENCY_KEY="order-1"
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_a_replayed_submit_returns_the_first_answer(api_as, dealer_admin, hq_admin, shop):
    order = services.order_create(actor=dealer_admin, dealer=dealer_admin.dealer, lines=[line(shop.kettle, 2)])
    client = api_as(dealer_admin)
    url = f"/api/v1/orders/{order.pk}/submit/"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    again = client.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == 200 and (again.status_code, again.json()) == (200, first.json())
    assert level(api_as(hq_admin), shop.main, shop.kettle)["reserved"] == 2
    assert client.post(url).json()["code"] == "invalid_transition"


def test_a_replayed_payment_is_recorded_once(api_as, hq_admin, dealer_one):
    client = api_as(hq_admin)
    body = {"dealer": dealer_one.pk, "amount": "10.00", "received_on": str(timezone.localdate()), "reference": "B1"}
    first = client.post("/api/v1/payments/", body, HTTP_IDEMPOTENCY_KEY="pay-1")
    again = client.post("/api/v1/payments/", body, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert Payment.objects.count() == 1
    other = client.post("/api/v1/payments/", {**body, "amount": "11.00"}, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


# Query budgets ----------------------------------------------------------------------------------


def test_the_order_list_costs_the_same_with_more_orders(client_as, hq_admin, dealer_admin, shop):
    credit(dealer_admin.dealer, "10000000.00", warehouse=shop.main)

    def add(n):
        for _ in range(n):
            submitted_order(dealer_admin, dealer_admin.dealer, (shop.kettle, 1), (shop.oven, 2))

    assert_flat_query_count(client_as(hq_admin), "/api/v1/orders/", add)
    assert_flat_query_count(client_as(dealer_admin), "/api/v1/orders/?status=approved", add)


@pytest.mark.parametrize("viewer", ["dealer_admin", "hq_admin"])
def test_the_priced_product_list_costs_the_same_with_more_products(request, client_as, dealer_one, shop, viewer):
    dealer_prices = price_list(items={}, dealer=dealer_one)

    def add(n):
        for _ in range(n):
            product = ProductFactory(product_line=shop.line)
            stock(product, shop.main, 5)
            dealer_prices.items.create(product=product, price=Decimal("42.00"))

    user = request.getfixturevalue(viewer)
    assert_flat_query_count(client_as(user), f"/api/v1/products/?dealer={dealer_one.pk}&page_size=100", add)


def test_another_dealers_id_in_the_product_query_is_not_found(api_as, dealer_admin):
    other = DealerFactory()
    assert api_as(dealer_admin).get("/api/v1/products/", {"dealer": other.pk}).status_code == 404
