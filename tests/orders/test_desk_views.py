"""The head-office order desk as its users see it: list and export, approval queue, order page and actions."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders import services
from orders.models import Invoice, Order, StockLevel
from tests.factories import DealerFactory, region
from tests.factories.orders import authorize, credit, grant, price_list, stock
from tests.platform.field_errors import field_errors, field_value
from tests.platform.query_budget import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_client():
    """A browser that asks for English, signed in as ``user``."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


def place(actor, dealer, *lines, submit=True):
    order = services.order_create(actor=actor, dealer=dealer, lines=[{"product": p, "quantity": q} for p, q in lines])
    return services.order_submit(actor=actor, order=order) if submit else order


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def guangzhou(shop, dealer_two):
    """Dealer 2 (Guangzhou) may order the same kitchen line."""
    authorize(dealer_two, shop.line)
    credit(dealer_two, "100000.00", warehouse=shop.main)
    return dealer_two


@pytest.fixture
def blocked(shop, hq_admin, dealer_one, dealer_admin):
    """An order of dealer 1 past its credit limit, with an invoice 40 days overdue."""
    shipped = place(hq_admin, dealer_one, (shop.kettle, 2))
    services.order_ship(actor=hq_admin, order=shipped)
    today = timezone.localdate()
    Invoice.objects.filter(order=shipped).update(
        issued_on=today - datetime.timedelta(days=70), due_on=today - datetime.timedelta(days=40)
    )
    credit(dealer_one, "300.00", warehouse=shop.main)
    return place(dealer_admin, dealer_one, (shop.kettle, 5))


def test_list_filters_by_status_dealer_region_amount_and_search(client_as, hq_admin, shop, guangzhou, dealer_one):
    hangzhou_draft = place(hq_admin, dealer_one, (shop.kettle, 1), submit=False)
    hangzhou_big = place(hq_admin, dealer_one, (shop.oven, 4))
    canton = place(hq_admin, guangzhou, (shop.kettle, 3))
    client = client_as(hq_admin)

    def listed(**params):
        return {o.number for o in client.get(reverse("orders:list"), params).context["orders"]}

    assert listed() == {hangzhou_draft.number, hangzhou_big.number, canton.number}
    assert listed(status="draft") == {hangzhou_draft.number}
    assert listed(status=["approved", "draft"]) == {hangzhou_draft.number, hangzhou_big.number, canton.number}
    assert listed(dealer=guangzhou.pk) == {canton.number}
    assert listed(region="440000") == {canton.number}
    assert listed(amount_min="1000") == {hangzhou_big.number}
    assert listed(q=canton.number[-6:]) == {canton.number}
    today = timezone.localdate().isoformat()
    assert len(listed(created_from=today, created_to=today)) == 3


def test_the_list_shows_what_the_desk_needs(en_client, hq_admin, shop, dealer_one):
    order = services.order_create(
        actor=hq_admin,
        dealer=dealer_one,
        lines=[{"product": shop.kettle, "quantity": 2}, {"product": shop.oven, "quantity": 2}],
        requested_delivery_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.order_submit(actor=hq_admin, order=order)
    page = en_client(hq_admin).get(reverse("orders:list")).content.decode()
    assert order.number in page and dealer_one.name in page
    assert "¥2,200.00" in page and 'data-status="approved"' in page
    assert (timezone.localdate() + datetime.timedelta(days=7)).isoformat() in page


def test_exports_carry_exactly_the_filtered_rows(en_client, hq_admin, shop, guangzhou, dealer_one):
    place(hq_admin, dealer_one, (shop.kettle, 1))
    canton = place(hq_admin, guangzhou, (shop.kettle, 3))
    client = en_client(hq_admin)
    response = client.get(reverse("orders:list"), {"region": "440000", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Order number", "Dealer code", "Dealer"]
    assert [row[0] for row in rows[1:]] == [canton.number]
    assert rows[1][4] == "approved" and rows[1][7] == "300.00" and rows[1][8] == "1"
    response = client.get(reverse("orders:list"), {"dealer": dealer_one.pk, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert len(values) == 2 and values[1][1] == dealer_one.code and float(values[1][7]) == 100.0


def test_the_order_list_costs_the_same_queries_with_more_orders(client_as, hq_admin, shop, dealer_one):
    def add(n):
        for _ in range(n):
            place(hq_admin, dealer_one, (shop.kettle, 1))

    assert_flat_query_count(client_as(hq_admin), reverse("orders:list"), add)


def test_the_approval_queue_costs_the_same_queries_with_more_dealers(client_as, hq_admin, shop):
    def add(n):
        for _ in range(n):
            dealer = DealerFactory()
            authorize(dealer, shop.line)
            credit(dealer, "0.00", warehouse=shop.main)
            place(hq_admin, dealer, (shop.kettle, 1))

    assert_flat_query_count(client_as(hq_admin), reverse("orders:approvals"), add)


def test_the_approval_queue_shows_reasons_credit_and_overdue_invoices(en_client, hq_admin, blocked, dealer_one):
    page = en_client(hq_admin).get(reverse("orders:approvals")).content.decode()
    assert blocked.number in page and dealer_one.name in page
    assert "Over the credit limit: the dealer's exposure of ¥200.00 plus this order's ¥500.00" in page
    assert "more than its limit of ¥300.00" in page
    assert "Overdue invoices: ¥200.00 unpaid, the oldest 40 days past its due date." in page
    invoice = Invoice.objects.get(dealer=dealer_one)
    assert invoice.number in page
    # Exposure: the unpaid invoice and this pending order, against a limit of 300.
    assert "¥700.00" in page and "-¥400.00" in page and "100% of the limit used" in page
    assert "Approve with credit override" in page and "You hold that permission" in page


def test_approving_a_credit_blocked_order_needs_the_permission_and_a_reason(en_client, hq_staff, blocked):
    grant(hq_staff, "approve_order")
    client = en_client(hq_staff)
    assert "which you do not hold" in client.get(reverse("orders:approvals")).content.decode()
    url = reverse("orders:approve", args=[blocked.pk])
    back = reverse("orders:approvals")
    response = client.post(url, {"reason": "Known dealer", "next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    assert any("needs the credit override permission" in m for m in messages_of(response))
    blocked.refresh_from_db()
    assert blocked.status == Order.Status.PENDING_APPROVAL

    grant(hq_staff, "approve_credit_override")
    client = en_client(hq_staff)
    response = client.post(url, {"reason": "  ", "next": back})
    assert response.status_code == 422 and messages_of(response) == []
    # Back in the queue, the error stands beside the reason of the order it is about, and names it.
    page = response.content.decode()
    assert field_errors(page, f"decide-{blocked.pk}-reason") == [f"{blocked.number}: Give a reason."]
    blocked.refresh_from_db()
    assert blocked.status == Order.Status.PENDING_APPROVAL

    response = client.post(url, {"reason": "Paid by transfer today", "next": back}, follow=True)
    assert messages_of(response) == ["Order approved."]
    blocked.refresh_from_db()
    assert blocked.status == Order.Status.APPROVED and blocked.credit_override
    assert blocked.decision_reason == "Paid by transfer today"
    page = client.get(reverse("orders:detail", args=[blocked.pk])).content.decode()
    assert "credit override" in page and "Paid by transfer today" in page


def test_reject_needs_a_reason_and_releases_the_stock(en_client, hq_admin, blocked, shop):
    client = en_client(hq_admin)
    url = reverse("orders:reject", args=[blocked.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 422 and messages_of(response) == []
    assert field_errors(response.content.decode(), "decide-reason") == ["Give a reason."]
    blocked.refresh_from_db()
    assert blocked.status == Order.Status.PENDING_APPROVAL
    response = client.post(url, {"reason": "Settle the overdue invoice first"}, follow=True)
    blocked.refresh_from_db()
    assert blocked.status == Order.Status.REJECTED
    assert StockLevel.objects.get(product=shop.kettle, warehouse=shop.main).reserved == 0
    assert "Settle the overdue invoice first" in response.content.decode()


def test_shipping_issues_the_invoice_and_takes_the_stock(en_client, hq_admin, hq_staff, shop, dealer_one):
    order = place(hq_admin, dealer_one, (shop.kettle, 120))
    assert order.status == Order.Status.APPROVED
    url = reverse("orders:ship", args=[order.pk])
    response = en_client(hq_staff).post(url, follow=True)
    assert messages_of(response) == ["You do not have permission to do this."]
    order.refresh_from_db()
    assert order.status == Order.Status.APPROVED

    response = en_client(hq_admin).post(url, follow=True)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    invoices = list(order.invoices.order_by("id"))
    numbers = ", ".join(invoice.number for invoice in invoices)
    assert len(invoices) == 2 and messages_of(response) == [f"Order shipped: invoices {numbers} issued."]
    main = StockLevel.objects.get(product=shop.kettle, warehouse=shop.main)
    spare = StockLevel.objects.get(product=shop.kettle, warehouse=shop.spare)
    assert (main.on_hand, main.reserved, spare.on_hand, spare.reserved) == (0, 0, 30, 0)
    page = response.content.decode()
    assert all(invoice.number in page and invoice.due_on.isoformat() in page for invoice in invoices)
    assert 'data-testid="deliver"' in page

    response = en_client(hq_admin).post(reverse("orders:deliver", args=[order.pk]), follow=True)
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED and messages_of(response) == ["Delivery recorded."]


def test_hq_creates_an_order_for_a_dealer_adds_lines_and_submits(en_client, hq_admin, shop, dealer_one):
    price_list(items={shop.kettle: "88.00"}, dealer=dealer_one)
    client = en_client(hq_admin)
    # The dealer is chosen by typing; the page names the one chosen (here by the address).
    form = client.get(reverse("orders:create"), {"dealer": dealer_one.pk}).content.decode()
    assert f'<option value="{dealer_one.pk}" selected>D00001 {dealer_one.name}</option>' in form
    day = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(
        reverse("orders:create"),
        {
            "dealer": dealer_one.pk,
            "requested_delivery_date": day.isoformat(),
            "ship_to_address": "杭州市西湖区文三路 1 号",
        },
    )
    order = Order.objects.get(dealer=dealer_one)
    detail = reverse("orders:detail", args=[order.pk])
    assert response.status_code == 302 and response["Location"] == detail
    assert order.status == Order.Status.DRAFT and order.created_by == hq_admin
    assert order.requested_delivery_date == day and order.ship_to_address == "杭州市西湖区文三路 1 号"

    page = client.get(detail).content.decode()
    assert '<option value="K-100">' in page and '<option value="L-100">' not in page

    add = reverse("orders:add_line", args=[order.pk])
    response = client.post(add, {"sku": "k-100", "quantity": "10"}, follow=True)
    assert messages_of(response) == ["Line added."]
    assert "¥88.00" in response.content.decode() and "¥880.00" in response.content.decode()
    response = client.post(add, {"sku": "L-100", "quantity": "1"}, follow=True)
    assert messages_of(response) == [
        f"L-100 {shop.washer.name_en}: The dealer is not authorised to sell this product line here."
    ]
    response = client.post(add, {"sku": "K-200", "quantity": "3"}, follow=True)
    assert messages_of(response) == [f"K-200 {shop.oven.name_en}: Order in multiples of 2."]
    response = client.post(add, {"sku": "NOPE", "quantity": "1"})
    assert field_errors(response.content.decode(), "id_sku") == ["No product has the SKU NOPE."]
    assert [line.product.sku for line in order.lines.all()] == ["K-100"]

    response = client.post(reverse("orders:submit", args=[order.pk]), follow=True)
    assert messages_of(response) == ["Order submitted and approved: its stock is reserved."]
    order.refresh_from_db()
    assert order.status == Order.Status.APPROVED and order.gross_amount == 880
    page = response.content.decode()
    assert "HZ × 10" in page and "Prices were frozen when the order was submitted." in page


def test_a_submission_short_of_stock_says_what_is_available(en_client, hq_admin, shop, dealer_one):
    order = place(hq_admin, dealer_one, (shop.kettle, 200), (shop.oven, 2), submit=False)
    response = en_client(hq_admin).post(reverse("orders:submit", args=[order.pk]), follow=True)
    assert messages_of(response) == [
        "Not enough stock for some lines: the order stays a draft.",
        "K-100: 200 requested, only 150 available.",
    ]
    order.refresh_from_db()
    assert order.status == Order.Status.DRAFT


def test_removing_a_line_from_a_draft(en_client, hq_admin, shop, dealer_one):
    order = place(hq_admin, dealer_one, (shop.kettle, 1), (shop.oven, 2), submit=False)
    line = order.lines.get(product=shop.oven)
    response = en_client(hq_admin).post(reverse("orders:remove_line", args=[order.pk, line.pk]), follow=True)
    assert messages_of(response) == ["Line removed."]
    assert [line.product.sku for line in order.lines.all()] == ["K-100"]


def test_cancel_needs_a_reason_and_reorder_starts_a_new_draft(en_client, hq_admin, shop, dealer_one):
    order = place(hq_admin, dealer_one, (shop.kettle, 4))
    client = en_client(hq_admin)
    url = reverse("orders:cancel", args=[order.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 422 and messages_of(response) == []
    assert field_errors(response.content.decode(), "cancel-reason") == ["Give a reason."]
    assert 'class="collapse mb-3 show" id="cancel-order"' in response.content.decode()
    response = client.post(url, {"reason": "Dealer changed its mind"}, follow=True)
    assert messages_of(response) == ["Order cancelled: its stock and credit are released."]
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert StockLevel.objects.get(product=shop.kettle, warehouse=shop.main).reserved == 0

    response = client.post(reverse("orders:copy", args=[order.pk]), follow=True)
    copy = Order.objects.get(copied_from=order)
    assert response.redirect_chain[-1][0] == reverse("orders:detail", args=[copy.pk])
    assert copy.status == Order.Status.DRAFT and [(li.product, li.quantity) for li in copy.lines.all()] == [
        (shop.kettle, 4)
    ]
    assert messages_of(response) == [f"Draft {copy.number} created from {order.number}: check it, then submit it."]


def test_a_broken_rule_is_a_message_not_an_error(en_client, hq_admin, shop, dealer_one):
    order = place(hq_admin, dealer_one, (shop.kettle, 1), submit=False)
    response = en_client(hq_admin).post(reverse("orders:ship", args=[order.pk]), follow=True)
    assert response.status_code == 200
    assert messages_of(response) == ["Cannot change status from draft to shipped."]


def test_a_rep_without_territory_does_not_find_another_dealers_order(client_as, sales_rep, hq_admin, blocked):
    grant(sales_rep, "approve_order")
    client = client_as(sales_rep)
    assert client.get(reverse("orders:detail", args=[blocked.pk])).status_code == 404
    assert client.post(reverse("orders:approve", args=[blocked.pk]), {"reason": "x"}).status_code == 404
    assert list(client.get(reverse("orders:approvals")).context["orders"]) == []
    assert list(client.get(reverse("orders:list")).context["orders"]) == []


def test_a_rep_sees_the_orders_of_their_territory(client_as, sales_rep, hq_admin, blocked):
    from dms.accounts.services import user_update

    user_update(actor=hq_admin, user=sales_rep, regions=[region("330100")])
    assert client_as(sales_rep).get(reverse("orders:detail", args=[blocked.pk])).status_code == 200


@pytest.mark.parametrize("role", ["dealer_admin", "dealer_staff"])
def test_dealer_users_are_refused_every_desk_page(client_as, users, blocked, role):
    client = client_as(users[role])
    line = blocked.lines.first()
    for name in ("orders:list", "orders:approvals", "orders:create"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("orders:detail", args=[blocked.pk])).status_code == 403
    for action in ("submit", "approve", "reject", "cancel", "ship", "deliver", "copy", "add_line"):
        assert client.post(reverse(f"orders:{action}", args=[blocked.pk])).status_code == 403
    assert client.post(reverse("orders:remove_line", args=[blocked.pk, line.pk])).status_code == 403


def test_the_desk_shows_stock_per_warehouse_on_the_order(en_client, hq_admin, shop, dealer_one):
    stock(shop.kettle, shop.main, 5)
    order = place(hq_admin, dealer_one, (shop.kettle, 8))
    page = en_client(hq_admin).get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "HZ × 5" in page and "SH × 3" in page


def test_a_reason_missing_in_the_queue_names_the_order_beside_its_field(en_client, hq_admin, blocked, shop):
    second = place(hq_admin, blocked.dealer, (shop.kettle, 1))
    client = en_client(hq_admin)
    back = reverse("orders:approvals")
    response = client.post(reverse("orders:reject", args=[second.pk]), {"reason": " ", "next": back})
    page = response.content.decode()
    assert response.status_code == 422 and messages_of(response) == []
    assert field_errors(page, f"decide-{second.pk}-reason") == [f"{second.number}: Give a reason."]
    assert field_errors(page, f"decide-{blocked.pk}-reason") == []
    assert 'data-testid="queue-item"' in page and blocked.number in page
    second.refresh_from_db()
    assert second.status == Order.Status.PENDING_APPROVAL
    # The page shows the action's address: its bulk bar still posts to the queue, and its links lead back there.
    assert f'action="{back}" class="card sticky-bottom' in page
    again = client.get(reverse("orders:reject", args=[second.pk]), {"page": "1"})
    assert again.status_code == 302 and again["Location"] == f"{back}?page=1"
    assert client.get(reverse("orders:cancel", args=[second.pk]))["Location"] == reverse(
        "orders:detail", args=[second.pk]
    )


def test_a_refused_line_keeps_what_was_typed_beside_its_field(en_client, hq_admin, shop, dealer_one):
    order = place(hq_admin, dealer_one, (shop.kettle, 1), submit=False)
    response = en_client(hq_admin).post(reverse("orders:add_line", args=[order.pk]), {"sku": "NOPE", "quantity": "7"})
    page = response.content.decode()
    assert response.status_code == 422 and messages_of(response) == []
    assert field_errors(page, "id_sku") == ["No product has the SKU NOPE."]
    assert (field_value(page, "id_sku"), field_value(page, "id_quantity")) == ("NOPE", "7")
