"""The order-to-cash rules as the services enforce them, whichever door calls them."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from dealers.models import Dealer
from dms.errors import InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from orders import selectors, services
from orders.models import CreditAccount, Invoice, Order, Product, Reservation, StockMovement
from orders.services import ORDER_TRANSITIONS, CreditOverrideRequired, InsufficientStock
from orders.services.ledger import INVOICE_TRANSITIONS, invoice_move
from orders.services.orders import order_move
from tests.factories import region
from tests.factories.orders import ProductFactory, authorize, credit, grant, levels, price_list, stock

pytestmark = pytest.mark.django_db
S = Order.Status


def order_for(user, dealer, *lines, **kwargs) -> Order:
    return services.order_create(
        actor=user, dealer=dealer, lines=[{"product": p, "quantity": q} for p, q in lines], **kwargs
    )


def submitted(user, dealer, *lines) -> Order:
    return services.order_submit(actor=user, order=order_for(user, dealer, *lines))


@pytest.fixture
def finance(hq_staff):
    grant(hq_staff, "approve_order", "ship_order", "approve_credit_override", "record_payment", "change_credit_limit")
    return hq_staff


class TestPrices:
    def test_dealer_price_beats_tier_price_beats_base(self, shop, dealer_one, dealer_two):
        price_list(items={shop.kettle: "90.00", shop.oven: "950.00"}, tier="B")
        price_list(items={shop.kettle: "85.00"}, dealer=dealer_one)
        prices = {p.sku: (p.price, p.price_source) for p in selectors.priced_products(dealer=dealer_one)}
        assert prices["K-100"] == (Decimal("85.00"), "dealer")
        assert prices["K-200"] == (Decimal("950.00"), "tier")
        assert prices["L-100"] == (Decimal("3000.00"), "base")
        other = {p.sku: p.price for p in selectors.priced_products(dealer=dealer_two)}
        assert other["K-100"] == Decimal("90.00")

    def test_only_valid_lists_count_and_the_latest_start_wins(self, shop, dealer_one):
        today = timezone.localdate()
        price_list(
            items={shop.kettle: "70.00"},
            tier="B",
            valid_until=today - datetime.timedelta(days=1),
            valid_from=today - datetime.timedelta(days=30),
        )
        price_list(items={shop.kettle: "95.00"}, tier="B", valid_from=today - datetime.timedelta(days=10))
        price_list(items={shop.kettle: "92.00"}, tier="B", valid_from=today - datetime.timedelta(days=2))
        price_list(items={shop.kettle: "50.00"}, tier="B", valid_from=today + datetime.timedelta(days=1))
        price = selectors.priced_products(dealer=dealer_one).get(pk=shop.kettle.pk).price
        assert price == Decimal("92.00")

    def test_prices_are_frozen_at_submission(self, shop, dealer_admin, dealer_one):
        plist = price_list(items={shop.kettle: "90.00"}, dealer=dealer_one)
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 3))
        plist.items.update(price=Decimal("10.00"))
        line = order.lines.get()
        assert (line.unit_price, line.gross_amount) == (Decimal("90.00"), Decimal("270.00"))
        order.refresh_from_db()
        assert order.gross_amount == Decimal("270.00")

    def test_vat_is_split_out_of_the_tax_inclusive_price(self, shop, dealer_admin, dealer_one):
        shop.kettle.base_price = Decimal("113.00")
        shop.kettle.save()
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 1))
        assert (order.net_amount, order.vat_amount, order.gross_amount) == (
            Decimal("100.00"),
            Decimal("13.00"),
            Decimal("113.00"),
        )


class TestWhatCanBeOrdered:
    def test_an_unauthorised_product_line_is_refused(self, shop, dealer_admin, dealer_one):
        with pytest.raises(RuleViolation) as exc:
            order_for(dealer_admin, dealer_one, (shop.washer, 1))
        assert exc.value.code == "not_authorized"
        assert exc.value.data["lines"][0]["sku"] == "L-100"

    def test_a_regional_authorisation_covers_only_its_regions(self, shop, dealer_admin, dealer_one):
        authorize(dealer_one, shop.other_line, regions=[region("330000")])
        order_for(dealer_admin, dealer_one, (shop.washer, 1))
        with pytest.raises(RuleViolation) as exc:
            order_for(dealer_admin, dealer_one, (shop.washer, 1), ship_to_region=region("440100"))
        assert exc.value.code == "not_authorized"

    def test_an_expired_authorisation_no_longer_allows_ordering(self, shop, dealer_admin, dealer_one):
        today = timezone.localdate()
        authorize(
            dealer_one,
            shop.other_line,
            valid_from=today - datetime.timedelta(days=100),
            valid_until=today - datetime.timedelta(days=1),
        )
        with pytest.raises(RuleViolation):
            order_for(dealer_admin, dealer_one, (shop.washer, 1))

    def test_quantities_must_be_pack_multiples(self, shop, dealer_admin, dealer_one):
        with pytest.raises(RuleViolation) as exc:
            order_for(dealer_admin, dealer_one, (shop.oven, 3))
        assert exc.value.code == "pack_multiple"
        order_for(dealer_admin, dealer_one, (shop.oven, 4))

    def test_products_withdrawn_after_the_draft_block_submission(self, shop, dealer_admin, dealer_one):
        order = order_for(dealer_admin, dealer_one, (shop.kettle, 1))
        shop.kettle.is_active = False
        shop.kettle.save()
        with pytest.raises(RuleViolation) as exc:
            services.order_submit(actor=dealer_admin, order=order)
        assert exc.value.code == "product_inactive"
        order.refresh_from_db()
        assert order.status == S.DRAFT

    def test_a_suspended_dealer_cannot_submit(self, shop, dealer_admin, dealer_one):
        order = order_for(dealer_admin, dealer_one, (shop.kettle, 1))
        Dealer.objects.filter(pk=dealer_one.pk).update(status=Dealer.Status.SUSPENDED)
        with pytest.raises(RuleViolation) as exc:
            services.order_submit(actor=dealer_admin, order=order)
        assert exc.value.code == "dealer_not_trading"

    def test_a_dealer_user_orders_only_for_their_own_dealer(self, shop, other_dealer_admin, dealer_one):
        with pytest.raises(PermissionDeniedError):
            order_for(other_dealer_admin, dealer_one, (shop.kettle, 1))

    def test_the_same_product_twice_is_one_line(self, shop, dealer_admin, dealer_one):
        order = order_for(dealer_admin, dealer_one, (shop.kettle, 1), (shop.kettle, 2))
        assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [("K-100", 3)]

    def test_an_order_outside_the_actors_scope_is_not_found_when_submitted(
        self, shop, dealer_admin, other_dealer_admin, dealer_one
    ):
        order = order_for(dealer_admin, dealer_one, (shop.kettle, 1))
        with pytest.raises(Order.DoesNotExist):
            services.order_submit(actor=other_dealer_admin, order=order)
        order.refresh_from_db()
        assert order.status == S.DRAFT and not Reservation.objects.exists()

    def test_an_empty_draft_cannot_be_submitted(self, shop, dealer_admin, dealer_one):
        order = order_for(dealer_admin, dealer_one)
        with pytest.raises(RuleViolation) as exc:
            services.order_submit(actor=dealer_admin, order=order)
        assert exc.value.code == "order_empty"

    def test_order_numbers_are_dated_and_unique(self, shop, dealer_admin, dealer_one):
        numbers = [order_for(dealer_admin, dealer_one).number for _ in range(3)]
        stamp = timezone.localdate().strftime("%Y%m%d")
        assert numbers == [f"SO-{stamp}-0001", f"SO-{stamp}-0002", f"SO-{stamp}-0003"]


class TestLinesThatCanNoLongerBeOrdered:
    """A draft keeps lines whose authorisation ended; they never block changing the rest of it."""

    @pytest.fixture
    def stuck(self, shop, dealer_admin, dealer_one):
        """A draft with a kettle and two laundry products whose authorisation has since expired."""
        dryer = ProductFactory(sku="L-200", product_line=shop.other_line, name="烘干机", name_en="Dryer")
        today = timezone.localdate()
        authorize(dealer_one, shop.other_line, valid_from=today - datetime.timedelta(days=30))
        order = order_for(dealer_admin, dealer_one, (shop.kettle, 1), (shop.washer, 1), (dryer, 1))
        dealer_one.authorizations.filter(product_line=shop.other_line).update(
            valid_until=today - datetime.timedelta(days=1)
        )
        return order, dryer

    def skus(self, order) -> dict:
        return {line.product.sku: line.quantity for line in order.lines.select_related("product")}

    def test_such_a_line_is_removed_or_set_to_zero(self, shop, dealer_admin, stuck):
        order, dryer = stuck
        services.order_remove_line(actor=dealer_admin, order=order, product_id=shop.washer.pk)
        assert self.skus(order) == {"K-100": 1, "L-200": 1}
        services.order_set_quantity(actor=dealer_admin, order=order, product_id=dryer.pk, quantity=0)
        assert self.skus(order) == {"K-100": 1}

    def test_other_lines_change_and_products_are_added_while_it_stays(self, shop, dealer_admin, stuck):
        order, _dryer = stuck
        services.order_add_line(actor=dealer_admin, order=order, product=shop.oven, quantity=2)
        services.order_add_lines(actor=dealer_admin, order=order, lines=[{"product": shop.kettle, "quantity": 1}])
        services.order_set_quantity(actor=dealer_admin, order=order, product_id=shop.kettle.pk, quantity=5)
        assert self.skus(order) == {"K-100": 5, "L-100": 1, "L-200": 1, "K-200": 2}

    def test_it_cannot_grow_and_the_refusal_names_it(self, shop, dealer_admin, stuck):
        order, _dryer = stuck
        with pytest.raises(RuleViolation) as exc:
            services.order_set_quantity(actor=dealer_admin, order=order, product_id=shop.washer.pk, quantity=2)
        assert exc.value.code == "not_authorized"
        assert f"L-100 {shop.washer.local_name}" in str(exc.value.message)
        with pytest.raises(RuleViolation):
            services.order_add_line(actor=dealer_admin, order=order, product=shop.washer, quantity=1)
        assert self.skus(order) == {"K-100": 1, "L-100": 1, "L-200": 1}

    def test_submitting_is_refused_naming_the_line(self, shop, dealer_admin, stuck):
        order, dryer = stuck
        services.order_remove_line(actor=dealer_admin, order=order, product_id=shop.washer.pk)
        with pytest.raises(RuleViolation) as exc:
            services.order_submit(actor=dealer_admin, order=order)
        assert exc.value.code == "not_authorized"
        assert f"L-200 {dryer.local_name}" in str(exc.value.message)
        order.refresh_from_db()
        assert order.status == S.DRAFT


class TestStock:
    def test_reservation_takes_the_default_warehouse_first_then_splits_by_priority(
        self, shop, dealer_admin, dealer_one
    ):
        credit(dealer_one, "100000", warehouse=shop.spare)
        submitted(dealer_admin, dealer_one, (shop.kettle, 70))
        assert levels(shop.kettle) == {"HZ": (100, 20), "SH": (50, 50)}

    def test_a_short_line_refuses_the_whole_submission_and_reports_what_is_available(
        self, shop, dealer_admin, dealer_one
    ):
        order = order_for(dealer_admin, dealer_one, (shop.kettle, 10), (shop.oven, 152))
        with pytest.raises(InsufficientStock) as exc:
            services.order_submit(actor=dealer_admin, order=order)
        assert exc.value.data["lines"] == [
            {"product": shop.oven.pk, "sku": "K-200", "requested": 152, "available": 150}
        ]
        order.refresh_from_db()
        assert order.status == S.DRAFT
        assert order.lines.get(product=shop.kettle).unit_price is None
        assert not Reservation.objects.exists()
        assert levels(shop.kettle) == {"HZ": (100, 0), "SH": (50, 0)}

    def test_an_inactive_warehouse_is_not_reserved_from(self, shop, dealer_admin, dealer_one):
        shop.spare.is_active = False
        shop.spare.save()
        with pytest.raises(InsufficientStock) as exc:
            submitted(dealer_admin, dealer_one, (shop.kettle, 101))
        assert exc.value.data["lines"][0]["available"] == 100

    def test_stock_cannot_be_adjusted_below_what_is_reserved(self, shop, hq_admin, dealer_admin, dealer_one):
        submitted(dealer_admin, dealer_one, (shop.kettle, 90))
        with pytest.raises(RuleViolation) as exc:
            services.stock_adjust(actor=hq_admin, warehouse=shop.main, product=shop.kettle, delta=-20, reason="broken")
        assert exc.value.code == "stock_below_reserved"
        services.stock_adjust(actor=hq_admin, warehouse=shop.main, product=shop.kettle, delta=-10, reason="broken")
        assert levels(shop.kettle)["HZ"] == (90, 90)
        movement = StockMovement.objects.filter(kind=StockMovement.Kind.ADJUSTMENT).get()
        assert (movement.on_hand_delta, movement.reason, movement.actor) == (-10, "broken", hq_admin)

    def test_adjusting_needs_the_permission_and_a_reason(self, shop, hq_staff):
        with pytest.raises(PermissionDeniedError):
            services.stock_adjust(actor=hq_staff, warehouse=shop.main, product=shop.kettle, delta=5, reason="in")
        grant(hq_staff, "adjust_stock")
        with pytest.raises(ReasonRequired):
            services.stock_adjust(actor=hq_staff, warehouse=shop.main, product=shop.kettle, delta=5, reason=" ")


class TestCredit:
    def test_within_the_limit_an_order_is_approved_at_once(self, shop, dealer_admin, dealer_one):
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 10))
        assert (order.status, order.approval_reasons) == (S.APPROVED, [])

    def test_a_dealer_without_a_credit_account_gets_one_with_no_credit(self, shop, dealer_admin, dealer_one):
        CreditAccount.objects.filter(dealer=dealer_one).delete()
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 1))
        assert CreditAccount.objects.get(dealer=dealer_one).credit_limit == 0
        assert (order.status, [reason["code"] for reason in order.approval_reasons]) == (
            S.PENDING_APPROVAL,
            ["credit_limit"],
        )
        assert levels(shop.kettle)["HZ"] == (100, 1)

    def test_past_the_limit_it_waits_for_approval_with_the_reason(self, shop, dealer_admin, dealer_one):
        credit(dealer_one, "1500.00", warehouse=shop.main)
        first = submitted(dealer_admin, dealer_one, (shop.kettle, 10))
        second = submitted(dealer_admin, dealer_one, (shop.kettle, 6))
        assert first.status == S.APPROVED
        assert second.status == S.PENDING_APPROVAL
        assert second.approval_reasons == [
            {"code": "credit_limit", "limit": "1500.00", "exposure": "1000.00", "amount": "600.00"}
        ]
        assert levels(shop.kettle)["HZ"] == (100, 16)

    def test_exposure_counts_unpaid_invoices_and_open_orders_less_unallocated_money(
        self, shop, finance, dealer_admin, dealer_one
    ):
        shipped = submitted(dealer_admin, dealer_one, (shop.kettle, 10))
        services.order_ship(actor=finance, order=shipped)
        submitted(dealer_admin, dealer_one, (shop.kettle, 5))
        services.payment_record(
            actor=finance, dealer=dealer_one, amount="1200", received_on=timezone.localdate(), reference="P1"
        )
        position = selectors.credit_position(dealer=dealer_one)
        assert (position.open_invoices, position.open_orders, position.unallocated) == (
            Decimal("0.00"),
            Decimal("500.00"),
            Decimal("200.00"),
        )
        assert position.exposure == Decimal("300.00")
        assert position.available == Decimal("99700.00")

    def test_an_invoice_overdue_too_long_sends_orders_for_approval(
        self, shop, finance, dealer_admin, dealer_one, settings
    ):
        settings.DMS_CREDIT_OVERDUE_DAYS = 30
        old = submitted(dealer_admin, dealer_one, (shop.kettle, 1))
        services.order_ship(actor=finance, order=old)
        Invoice.objects.update(
            issued_on=timezone.localdate() - datetime.timedelta(days=80),
            due_on=timezone.localdate() - datetime.timedelta(days=50),
        )
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 1))
        assert order.status == S.PENDING_APPROVAL
        assert order.approval_reasons == [{"code": "overdue", "days": 50, "amount": "100.00"}]

    def test_a_large_order_waits_for_approval(self, shop, dealer_admin, dealer_one, settings):
        settings.DMS_ORDER_APPROVAL_AMOUNT = 500
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 6))
        assert [r["code"] for r in order.approval_reasons] == ["large_order"]

    def test_approving_past_the_limit_needs_the_override_permission_and_a_reason(
        self, shop, desk, dealer_admin, dealer_one
    ):
        credit(dealer_one, "100.00", warehouse=shop.main)
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 5))
        with pytest.raises(CreditOverrideRequired):
            services.order_approve(actor=desk, order=order, reason="good customer")
        grant(desk, "approve_credit_override")
        with pytest.raises(ReasonRequired):
            services.order_approve(actor=desk, order=order, reason="")
        order = services.order_approve(actor=desk, order=order, reason="good customer")
        assert (order.status, order.credit_override, order.decision_reason) == (S.APPROVED, True, "good customer")

    def test_a_large_order_within_credit_needs_only_the_approval_permission(
        self, shop, desk, dealer_admin, dealer_one, settings
    ):
        settings.DMS_ORDER_APPROVAL_AMOUNT = 100
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 5))
        order = services.order_approve(actor=desk, order=order)
        assert (order.status, order.credit_override) == (S.APPROVED, False)

    def test_setting_the_limit_needs_finance_and_a_reason(self, shop, hq_staff, dealer_one):
        with pytest.raises(PermissionDeniedError):
            services.credit_limit_set(actor=hq_staff, dealer=dealer_one, credit_limit="5000", reason="review")
        grant(hq_staff, "change_credit_limit")
        with pytest.raises(ReasonRequired):
            services.credit_limit_set(actor=hq_staff, dealer=dealer_one, credit_limit="5000", reason="")
        services.credit_limit_set(actor=hq_staff, dealer=dealer_one, credit_limit="5000", reason="annual review")
        assert selectors.credit_position(dealer=dealer_one).credit_limit == Decimal("5000.00")

    def test_a_copied_order_passes_the_same_credit_check(self, shop, dealer_admin, dealer_one):
        credit(dealer_one, "1000.00", warehouse=shop.main)
        first = submitted(dealer_admin, dealer_one, (shop.kettle, 10))
        copy, skipped = services.order_copy(actor=dealer_admin, order=first)
        assert (copy.status, skipped, copy.copied_from) == (S.DRAFT, [], first)
        copy = services.order_submit(actor=dealer_admin, order=copy)
        assert copy.status == S.PENDING_APPROVAL

    def test_a_copy_leaves_out_lines_no_longer_sold(self, shop, dealer_admin, dealer_one):
        first = submitted(dealer_admin, dealer_one, (shop.kettle, 1), (shop.oven, 2))
        shop.oven.is_active = False
        shop.oven.save()
        copy, skipped = services.order_copy(actor=dealer_admin, order=first)
        assert [line.product.sku for line in copy.lines.all()] == ["K-100"]
        assert [p.code for p in skipped] == ["product_inactive"]


class TestWorkflow:
    def test_reject_needs_a_reason_and_gives_the_stock_back(self, shop, desk, dealer_admin, dealer_one):
        credit(dealer_one, "0", warehouse=shop.main)
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 5))
        with pytest.raises(ReasonRequired):
            services.order_reject(actor=desk, order=order, reason="")
        order = services.order_reject(actor=desk, order=order, reason="over limit")
        assert order.status == S.REJECTED
        assert levels(shop.kettle)["HZ"] == (100, 0)

    def test_a_dealer_cancels_while_waiting_but_not_once_approved(self, shop, desk, dealer_admin, dealer_one):
        approved = submitted(dealer_admin, dealer_one, (shop.kettle, 5))
        with pytest.raises(PermissionDeniedError):
            services.order_cancel(actor=dealer_admin, order=approved, reason="changed mind")
        cancelled = services.order_cancel(actor=desk, order=approved, reason="dealer asked")
        assert cancelled.status == S.CANCELLED
        assert levels(shop.kettle)["HZ"] == (100, 0)
        assert selectors.credit_position(dealer=dealer_one).open_orders == 0

    def test_shipping_moves_stock_out_and_issues_the_invoice(self, shop, desk, dealer_admin, dealer_one):
        dealer_one.payment_terms_days = 45
        dealer_one.save()
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 120))
        order = services.order_ship(actor=desk, order=order)
        assert levels(shop.kettle) == {"HZ": (0, 0), "SH": (30, 0)}
        # One shipment, and one invoice, from each warehouse that held the order's stock.
        invoices = list(order.invoices.order_by("gross_amount"))
        assert [invoice.number[:4] for invoice in invoices] == ["INV-", "INV-"]
        assert [(i.gross_amount, i.status) for i in invoices] == [
            (Decimal("2000.00"), Invoice.Status.OPEN),
            (Decimal("10000.00"), Invoice.Status.OPEN),
        ]
        assert {invoice.due_on - invoice.issued_on for invoice in invoices} == {datetime.timedelta(days=45)}
        assert not Reservation.objects.exists()

    def test_only_the_transition_table_moves_an_order(self, shop, desk, dealer_admin, dealer_one):
        draft = order_for(dealer_admin, dealer_one, (shop.kettle, 1))
        with pytest.raises(InvalidTransition):
            services.order_ship(actor=desk, order=draft)
        approved = services.order_submit(actor=dealer_admin, order=draft)
        with pytest.raises(InvalidTransition):
            services.order_submit(actor=dealer_admin, order=approved)
        with pytest.raises(InvalidTransition):
            services.order_deliver(actor=dealer_admin, order=approved)

    @pytest.mark.parametrize(
        ("current", "target"), [(current, target) for current in Order.Status for target in Order.Status]
    )
    def test_every_pair_of_statuses_moves_only_as_the_table_allows(self, current, target):
        order = Order(status=current)
        if target in ORDER_TRANSITIONS[current]:
            order_move(order, target)
            assert order.status == target
        else:
            with pytest.raises(InvalidTransition):
                order_move(order, target)
            assert order.status == current

    def test_shipping_needs_the_permission(self, shop, hq_staff, dealer_admin, dealer_one):
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 1))
        with pytest.raises(PermissionDeniedError):
            services.order_ship(actor=hq_staff, order=order)

    def test_a_pending_order_left_too_long_goes_back_to_draft(self, shop, dealer_admin, dealer_one, settings):
        settings.DMS_PENDING_APPROVAL_HOURS = 2
        credit(dealer_one, "0", warehouse=shop.main)
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 5))
        assert services.orders_release_expired() == 0
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=3)):
            assert services.orders_release_expired() == 1
            assert services.orders_release_expired() == 0
        order.refresh_from_db()
        assert (order.status, order.approval_reasons) == (S.DRAFT, [])
        assert levels(shop.kettle)["HZ"] == (100, 0)


class TestPayments:
    def ship(self, desk, dealer_admin, dealer, product, quantity, days_ago=0):
        order = services.order_ship(actor=desk, order=submitted(dealer_admin, dealer, (product, quantity)))
        day = timezone.localdate() - datetime.timedelta(days=days_ago)
        Invoice.objects.filter(order=order).update(issued_on=day, due_on=day + datetime.timedelta(days=30))
        return Invoice.objects.get(order=order)

    def test_money_pays_the_oldest_invoices_first_and_the_rest_waits(self, shop, finance, dealer_admin, dealer_one):
        newer = self.ship(finance, dealer_admin, dealer_one, shop.kettle, 3, days_ago=5)
        older = self.ship(finance, dealer_admin, dealer_one, shop.kettle, 2, days_ago=40)
        payment = services.payment_record(
            actor=finance, dealer=dealer_one, amount="250", received_on=timezone.localdate(), reference="BANK-1"
        )
        older.refresh_from_db()
        newer.refresh_from_db()
        assert (older.status, older.paid_amount) == (Invoice.Status.PAID, Decimal("200.00"))
        assert (newer.status, newer.paid_amount) == (Invoice.Status.PARTIALLY_PAID, Decimal("50.00"))
        assert payment.unallocated_amount == 0
        overpay = services.payment_record(
            actor=finance, dealer=dealer_one, amount="1000", received_on=timezone.localdate(), reference="BANK-2"
        )
        assert overpay.unallocated_amount == Decimal("750.00")
        later = self.ship(finance, dealer_admin, dealer_one, shop.kettle, 5)
        assert (later.status, later.paid_amount) == (Invoice.Status.PAID, Decimal("500.00"))
        overpay.refresh_from_db()
        assert overpay.unallocated_amount == Decimal("250.00")

    def test_a_reference_is_recorded_once_per_dealer(self, shop, finance, dealer_one, dealer_two):
        today = timezone.localdate()
        services.payment_record(actor=finance, dealer=dealer_one, amount="10", received_on=today, reference="R-1")
        with pytest.raises(services.PaymentReferenceTaken):
            services.payment_record(actor=finance, dealer=dealer_one, amount="20", received_on=today, reference="R-1")
        services.payment_record(actor=finance, dealer=dealer_two, amount="20", received_on=today, reference="R-1")

    @pytest.mark.parametrize(
        ("amount", "days_ahead", "code"),
        [("0", 0, "invalid_amount"), ("-5", 0, "invalid_amount"), ("10", 1, "received_in_future")],
    )
    def test_bad_payments_are_refused(self, finance, dealer_one, amount, days_ahead, code):
        with pytest.raises(RuleViolation) as exc:
            services.payment_record(
                actor=finance,
                dealer=dealer_one,
                amount=amount,
                received_on=timezone.localdate() + datetime.timedelta(days=days_ahead),
                reference="X",
            )
        assert exc.value.code == code

    def test_recording_needs_the_permission(self, hq_staff, dealer_one):
        with pytest.raises(PermissionDeniedError):
            services.payment_record(
                actor=hq_staff, dealer=dealer_one, amount="10", received_on=timezone.localdate(), reference="X"
            )

    def test_a_delivered_order_is_complete_once_paid_in_either_order(self, shop, finance, dealer_admin, dealer_one):
        today = timezone.localdate()
        first = services.order_ship(actor=finance, order=submitted(dealer_admin, dealer_one, (shop.kettle, 1)))
        services.order_deliver(actor=dealer_admin, order=first)
        services.payment_record(actor=finance, dealer=dealer_one, amount="100", received_on=today, reference="A")
        first.refresh_from_db()
        assert first.status == S.COMPLETED
        second = services.order_ship(actor=finance, order=submitted(dealer_admin, dealer_one, (shop.kettle, 1)))
        services.payment_record(actor=finance, dealer=dealer_one, amount="100", received_on=today, reference="B")
        second = services.order_deliver(actor=dealer_admin, order=second)
        assert second.status == S.COMPLETED


class TestCatalogue:
    def test_catalogue_changes_need_the_permission(self, shop, hq_staff):
        with pytest.raises(PermissionDeniedError):
            services.catalogue_save(
                actor=hq_staff, model=Product, instance=shop.kettle, fields={"base_price": Decimal("1")}
            )
        grant(hq_staff, "manage_catalogue")
        services.catalogue_save(
            actor=hq_staff, model=Product, instance=shop.kettle, fields={"base_price": Decimal("99.00")}
        )
        shop.kettle.refresh_from_db()
        assert shop.kettle.base_price == Decimal("99.00")

    def test_a_duplicate_sku_is_a_clear_error(self, shop, hq_admin):
        with pytest.raises(RuleViolation) as exc:
            services.catalogue_save(
                actor=hq_admin,
                model=Product,
                fields={"sku": "K-100", "name": "重复", "product_line": shop.line, "base_price": Decimal("1")},
            )
        assert exc.value.field == "sku"

    def test_a_dealer_only_sees_authorised_active_products(self, shop, dealer_admin):
        ProductFactory(sku="K-300", product_line=shop.line, is_active=False)
        skus = [p.sku for p in selectors.product_list(user=dealer_admin)]
        assert skus == ["K-100", "K-200"]


class TestLimits:
    def test_an_order_too_large_for_the_books_is_refused_not_an_error(self, shop, dealer_admin, dealer_one):
        shop.kettle.base_price = Decimal("2000000.00")
        shop.kettle.save()
        stock(shop.kettle, shop.main, 1_000_000)
        order = order_for(dealer_admin, dealer_one, (shop.kettle, 1_000_000))
        with pytest.raises(RuleViolation) as exc:
            services.order_submit(actor=dealer_admin, order=order)
        assert exc.value.code == "order_too_large"

    def test_stock_changes_are_bounded(self, shop, hq_admin):
        with pytest.raises(RuleViolation) as exc:
            services.stock_adjust(
                actor=hq_admin, warehouse=shop.main, product=shop.kettle, delta=services.MAX_ADJUSTMENT + 1, reason="x"
            )
        assert exc.value.code == "invalid_delta"
        stock(shop.kettle, shop.main, services.MAX_STOCK - 10)
        with pytest.raises(RuleViolation) as exc:
            services.stock_adjust(actor=hq_admin, warehouse=shop.main, product=shop.kettle, delta=11, reason="x")
        assert exc.value.code == "stock_too_large"

    def test_a_regional_manager_cannot_reprice_a_whole_tier(self, shop, hq_staff):
        grant(hq_staff, "manage_catalogue")
        hq_staff.regions.add(region("440100"))
        with pytest.raises(PermissionDeniedError):
            services.price_list_save(actor=hq_staff, name="B", kind="tier", tier="B", items={shop.kettle: "1.00"})


class TestScopeOfReads:
    def test_the_catalogue_leaves_out_lines_authorised_only_elsewhere(self, shop, dealer_admin, dealer_one):
        authorize(dealer_one, shop.other_line, regions=[region("440000")])
        assert [p.sku for p in selectors.product_list(user=dealer_admin)] == ["K-100", "K-200"]
        authorize(dealer_one, shop.other_line, regions=[region("330000")], valid_from=datetime.date(2020, 1, 1))
        assert [p.sku for p in selectors.product_list(user=dealer_admin)] == ["K-100", "K-200", "L-100"]

    def test_a_dealer_sees_tier_prices_only_for_what_it_may_order(self, shop, dealer_admin):
        price_list(items={shop.kettle: "90.00", shop.washer: "2800.00"}, tier="B")
        (plist,) = selectors.price_list_list(user=dealer_admin)
        assert [item.product.sku for item in plist.items.all()] == ["K-100"]

    def test_the_stock_ledger_hides_orders_of_dealers_outside_the_territory(
        self, shop, sales_rep, hq_admin, dealer_admin, dealer_one
    ):
        submitted(dealer_admin, dealer_one, (shop.kettle, 1))
        services.stock_adjust(actor=hq_admin, warehouse=shop.main, product=shop.kettle, delta=5, reason="receipt")
        kinds = [m.kind for m in selectors.stock_movement_list(user=sales_rep)]
        assert kinds == [StockMovement.Kind.RECEIPT]
        assert len(selectors.stock_movement_list(user=hq_admin)) == 2

    def test_an_order_back_to_draft_carries_no_frozen_amounts(self, shop, dealer_admin, dealer_one, settings):
        settings.DMS_PENDING_APPROVAL_HOURS = 1
        credit(dealer_one, "0", warehouse=shop.main)
        order = submitted(dealer_admin, dealer_one, (shop.kettle, 5))
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
            services.orders_release_expired()
        order.refresh_from_db()
        assert (order.status, order.gross_amount, order.lines.get().unit_price) == (S.DRAFT, 0, None)


@pytest.mark.parametrize(
    ("current", "target"), [(current, target) for current in Invoice.Status.values for target in Invoice.Status.values]
)
def test_an_invoice_is_paid_off_only_forwards(current, target):
    invoice = Invoice(status=current)
    if target == current or target in INVOICE_TRANSITIONS[current]:
        invoice_move(invoice, target)
        assert invoice.status == target
    else:
        with pytest.raises(InvalidTransition):
            invoice_move(invoice, target)
        assert invoice.status == current
