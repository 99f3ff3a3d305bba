"""The demo's year of orders, as dealers and the order desk placed them, and today's queue, carts and
orders on the road; each order then given the times it happened."""

import math
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Value, When
from django.utils import timezone

from dealers.demo import DEMO_DEALER_CODE
from dealers.models import Dealer
from dms.events.models import Event
from dms.numbers import next_number
from orders import selectors, services, verbs
from orders.demo.base import OVERDUE_DAYS, HistoryBase, Plan, Profile, S, at
from orders.models import Invoice, Order, Product, StockMovement

TIER_ORDERS_PER_MONTH = {"A": 1.3, "B": 0.8, "C": 0.5, "D": 0.3}
TIER_ORDER_AMOUNT = {"A": (120_000, 250_000), "B": (50_000, 120_000), "C": (25_000, 60_000), "D": (10_000, 30_000)}
TIER_LINES = {"A": (3, 6), "B": (2, 5), "C": (2, 4), "D": (1, 3)}
# Orders per month (Jan..Dec): the Spring Festival dip, 618 and Double 11 stocking.
SEASON = [1.0, 0.6, 0.9, 1.0, 1.1, 1.3, 1.0, 0.9, 1.0, 1.1, 1.3, 1.2]
AC_SEASON = [0.5, 0.4, 1.0, 1.8, 2.2, 2.0, 1.2, 0.8, 0.6, 0.5, 0.6, 0.6]
# What dealers write on an order, by month (Jan..Dec); most orders carry no note.
NOTES = {1: "春节备货", 5: "618 备货", 6: "618 备货", 10: "双十一备货", 11: "双十一备货"}
ANY_TIME_NOTES = ["门店开业备货", "以旧换新活动备货", "周末促销补货", "请尽快安排发货"]
CANCEL_REASONS = ["经销商要求取消：门店装修延期", "重复下单", "客户退订，经销商申请取消"]


ORDER_STAGES = {
    "created": "created_at",
    "submitted": "submitted_at",
    "decided": "decided_at",
    "shipped": "shipped_at",
    "delivered": "delivered_at",
    "cancelled": "cancelled_at",
}
EVENT_STAGES = {
    verbs.ORDER_CREATED.code: "created",
    verbs.ORDER_CHANGED.code: "created",
    verbs.ORDER_SUBMITTED.code: "submitted",
    verbs.ORDER_PENDING.code: "submitted",
    verbs.ORDER_APPROVED.code: "decided",
    verbs.ORDER_REJECTED.code: "decided",
    verbs.ORDER_CANCELLED.code: "cancelled",
    verbs.ORDER_SHIPPED.code: "shipped",
    verbs.ORDER_DELIVERED.code: "delivered",
}


class OrderHistory(HistoryBase):
    """Plans each dealer's orders of the year and makes them through the services."""

    def _plan(self, profile: Profile) -> None:
        """Decide the dealer's orders of the past year: how many per month, which products, how much."""
        rng, dealer = self.rng, profile.dealer
        first = self.start
        last = self.today - timedelta(days=7)
        overdue = profile.overdue_days
        if overdue is not None:
            # It kept ordering until it was a month late; finance has held its orders since.
            last = min(last, self.today - timedelta(days=overdue - 30))
        day = first
        while day <= last:
            month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            span = (min(month_end, last) - day).days
            expected = TIER_ORDERS_PER_MONTH[dealer.tier] * SEASON[day.month - 1] + (dealer.code == DEMO_DEALER_CODE)
            expected *= (span + 1) / month_end.day
            count = int(expected) + (rng.random() < expected - int(expected))
            for _n in range(count):
                when = day + timedelta(days=rng.randint(0, span))
                profile.plans.append(Plan(day=when, lines=self._pick_lines(profile, when), note=self._note(when)))
            day = month_end + timedelta(days=1)
        for plan in profile.plans:
            if rng.random() < 0.03:
                plan.outcome = "cancelled"
        if overdue is not None:
            # The order whose invoice is now ``overdue`` days past due (it ships a day or two later).
            when = self.today - timedelta(days=overdue + dealer.payment_terms_days + 1)
            profile.plans.append(Plan(day=when, lines=self._pick_lines(profile, when)))
        if profile.project and last > first + timedelta(days=120):
            when = last - timedelta(days=rng.randint(60, 120))
            profile.plans.append(
                Plan(
                    day=when,
                    lines=self._project_lines(),
                    note=f"工程项目：{rng.choice(['滨江花园', '锦绣华庭', '金色家园', '江南府'])}二期中央空调",
                    outcome="rejected" if profile.project == "rejected" else "delivered",
                )
            )
        profile.plans.sort(key=lambda p: p.day)

    def _note(self, day: date) -> str:
        roll = self.rng.random()
        if roll < 0.3 and day.month in NOTES:
            return NOTES[day.month]
        return self.rng.choice(ANY_TIME_NOTES) if roll > 0.85 else ""

    def _project_lines(self) -> list[tuple[Product, int]]:
        """A central air-conditioning project: outdoor and indoor units, worth more than the approval threshold."""
        units = [("AC-VRF-8P", 14), ("AC-VRI-56", 24), ("AC-VRI-36", 24), ("AC-AZB-3M", 48)]
        return [(self.products[sku], quantity) for sku, quantity in units]

    def _pick_lines(self, profile: Profile, day: date, *, amount: float | None = None) -> list[tuple[Product, int]]:
        """Products of one or two of the dealer's lines (air conditioning in season) for about ``amount``
        (a typical order of the dealer's tier when not given)."""
        rng, tier = self.rng, profile.dealer.tier
        weights = [AC_SEASON[day.month - 1] if line.code == "air-conditioning" else 1.0 for line in profile.lines]
        lines = {rng.choices(profile.lines, weights)[0].pk for _n in range(rng.choice([1, 1, 2]))}
        candidates = [p for p in self.products.values() if p.product_line_id in lines and p.is_active]
        low, high = TIER_LINES[tier]
        budget = amount or rng.uniform(*TIER_ORDER_AMOUNT[tier])
        chosen = {p.pk: p for p in rng.sample(candidates, min(len(candidates), rng.randint(low, high)))}
        share = budget / len(chosen)
        packs = {
            product: max(1, round(share / float(product.base_price) / product.pack_size)) for product in chosen.values()
        }
        if amount is None:
            packs = {product: min(n, 60) for product, n in packs.items()}
        else:
            # An order for a given amount: the dearest product makes up what the others fall short of.
            dearest = max(packs, key=lambda p: p.base_price * p.pack_size)
            short = budget - sum(float(p.base_price) * p.pack_size * n for p, n in packs.items())
            packs[dearest] += max(0, math.ceil(short / float(dearest.base_price * dearest.pack_size)))
        return [(product, n * product.pack_size) for product, n in packs.items()]

    # The year of orders ----------------------------------------------------------------------

    def _make_history(self, profile: Profile) -> None:
        """Each order in date order: paid orders are shipped and paid as they come; once one is still
        unpaid today, it and the rest are shipped after the last one is in, as they would have been
        submitted before any of them was overdue."""
        rng, dealer = self.rng, profile.dealer
        terms = timedelta(days=dealer.payment_terms_days)
        paid_until = self.start
        owing: list[Plan] = []
        for plan in profile.plans:
            order = self._submit(profile, plan)
            plan.times = self._times(plan.day, manual=order.decided_by_id is not None)
            if order.status == S.REJECTED:
                self._backdate_order(order, plan.times)
                continue
            if plan.outcome == "cancelled":
                order = services.order_cancel(actor=self.desk, order=order, reason=rng.choice(CANCEL_REASONS))
                plan.times["cancelled"] = plan.times["decided"] + timedelta(hours=rng.randint(2, 30))
                self._backdate_order(order, plan.times)
                continue
            shipped_on = timezone.localdate(plan.times["shipped"])
            due = shipped_on + terms
            pays_on = max(paid_until, shipped_on, due + timedelta(days=rng.randint(*profile.delay)))
            overdue = profile.overdue_days is not None and due >= self.today - timedelta(days=profile.overdue_days)
            if owing or overdue or pays_on >= self.today:
                owing.append(plan)
                continue
            paid_until = pays_on
            self._pay(dealer, pays_on, self._ship(profile, plan))
        for plan in owing:
            self._ship(profile, plan)
        if not owing:
            return
        if profile.overdue_days == max(OVERDUE_DAYS):
            part = (owing[0].order.gross_amount * Decimal("0.3")).quantize(Decimal("1000"))
            self._pay(dealer, self.today - timedelta(days=60), part, note="部分回款，余款承诺下月结清")
        elif profile.round_payer and profile.overdue_days is None:
            owed = sum(
                Invoice.objects.filter(order__in=[p.order for p in owing]).values_list("gross_amount", flat=True)
            )
            part = (owed / 2).quantize(Decimal("10000"))
            if part > 0:
                self._pay(dealer, self.today - timedelta(days=rng.randint(3, 10)), part)

    def _times(self, day: date, *, manual: bool) -> dict:
        rng = self.rng
        created = at(day, rng.randint(8, 17), rng.randint(0, 59))
        submitted = created + timedelta(minutes=rng.randint(3, 90))
        decided = submitted + timedelta(hours=rng.randint(2, 20)) if manual else submitted
        shipped = at(timezone.localdate(decided) + timedelta(days=rng.randint(1, 2)), rng.randint(9, 17))
        delivered = shipped + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
        return {
            "created": created,
            "submitted": submitted,
            "decided": decided,
            "shipped": shipped,
            "delivered": delivered,
            "requested": day + timedelta(days=rng.randint(5, 10)),
        }

    def _buyer(self, dealer: Dealer):
        """Who places the dealer's orders: its own people in the portal, or the order desk on the phone."""
        if dealer.code == DEMO_DEALER_CODE and self.people.get("dealer"):
            staff = self.people.get("dealerstaff")
            return staff if staff and self.rng.random() < 0.25 else self.people["dealer"]
        return self.desk

    def _submit(self, profile: Profile, plan: Plan) -> Order:
        buyer = self._buyer(profile.dealer)
        order = services.order_create(
            actor=buyer,
            dealer=profile.dealer,
            lines=[{"product": product, "quantity": quantity} for product, quantity in plan.lines],
            note=plan.note,
        )
        order = services.order_submit(actor=buyer, order=order)
        if order.status == S.PENDING_APPROVAL:
            if plan.outcome == "rejected":
                order = services.order_reject(
                    actor=self.finance, order=order, reason="项目资料不全：请补充工程合同与付款计划后重新下单"
                )
            else:
                order = self._approve(order)
        plan.order = order
        return order

    def _approve(self, order: Order, reason: str = "") -> Order:
        """Finance approves past the credit limit or with overdue invoices; the order desk the rest."""
        codes = {reason["code"] for reason in order.approval_reasons}
        if codes & services.CREDIT_BLOCKS:
            reason = reason or "经销商已承诺本月内回款，同意超额度发货"
            return services.order_approve(actor=self.finance, order=order, reason=reason)
        return services.order_approve(actor=self.desk, order=order, reason=reason or "工程项目订单，已核对项目合同")

    def _ship(self, profile: Profile, plan: Plan, *, deliver: bool = True) -> Decimal:
        """Ship the order (one shipment per warehouse holding it), maybe deliver it; returns what was invoiced."""
        order = services.order_ship(actor=self.desk, order=plan.order)
        if deliver:
            receiver = self.people.get("dealer") if profile.dealer.code == DEMO_DEALER_CODE else None
            order = services.order_deliver(actor=receiver or self.desk, order=order)
        plan.order = order
        self._backdate_order(order, plan.times)
        return order.gross_amount

    # Moving what the services stamped "now" back to when it happened -------------------------

    def _backdate_order(self, order: Order, times: dict) -> None:
        """Give an order, its events, stock movements and invoice the times in ``times``. Only the
        steps the order went through are moved; its number takes the date it was created."""
        number = order.number
        created_on = timezone.localdate(times["created"])
        if created_on != self.today and number.startswith(f"SO-{self.today:%Y%m%d}"):
            number = next_number("SO", day=created_on)
        columns = {
            column: times[stage]
            for stage, column in ORDER_STAGES.items()
            if stage in times and getattr(order, column) is not None
        }
        extra = {"requested_delivery_date": times["requested"]} if "requested" in times else {}
        Order.objects.filter(pk=order.pk).update(number=number, updated_at=max(columns.values()), **columns, **extra)
        reached = {stage for stage, column in ORDER_STAGES.items() if column in columns}
        stamps = [When(verb=verb, then=Value(times[stage])) for verb, stage in EVENT_STAGES.items() if stage in reached]
        Event.objects.filter(target_type=self.types[Order], target_id=str(order.pk)).update(
            target_repr=number, created_at=Case(*stamps, default="created_at")
        )
        released = times.get("cancelled") or times["decided"]
        moves = [When(kind=StockMovement.Kind.RESERVE, then=Value(times["submitted"]))]
        if "shipped" in reached:
            moves.append(When(kind=StockMovement.Kind.SHIP, then=Value(times["shipped"])))
        moves.append(When(kind=StockMovement.Kind.RELEASE, then=Value(released)))
        StockMovement.objects.filter(order_id=order.pk).update(created_at=Case(*moves, default="created_at"))
        if "shipped" in reached:
            self._backdate_invoice(order, times["shipped"])

    # Today: the order desk's queue, carts, orders on the road ---------------------------------

    def _recent(self, profile: Profile, *, hours_ago: float, lines=None, note: str = "", user=None) -> Order:
        """An order submitted ``hours_ago``: approved at once, or waiting for approval with its reasons."""
        buyer = user or self._buyer(profile.dealer)
        order = services.order_create(
            actor=buyer,
            dealer=profile.dealer,
            lines=[{"product": p, "quantity": q} for p, q in lines or self._pick_lines(profile, self.today)],
            note=note,
            requested_delivery_date=self.today + timedelta(days=self.rng.randint(3, 10)),
        )
        order = services.order_submit(actor=buyer, order=order)
        created = timezone.now() - timedelta(hours=hours_ago)
        submitted = created + timedelta(minutes=self.rng.randint(3, 40))
        self._backdate_order(order, {"created": created, "submitted": submitted, "decided": submitted})
        order.refresh_from_db()
        return order

    def _current_orders(self, profiles: list[Profile]) -> None:
        rng = self.rng
        late = sorted((p for p in profiles if p.overdue_days), key=lambda p: p.overdue_days)
        calm = [
            p
            for p in profiles
            if p.overdue_days is None and p.dealer.code != DEMO_DEALER_CODE and p.dealer.status == Dealer.Status.ACTIVE
        ]
        demo = next((p for p in profiles if p.dealer.code == DEMO_DEALER_CODE), None)

        # Late payers: one order waited too long and went back to draft; the others wait for finance.
        for profile in late:
            if profile.overdue_days == min(OVERDUE_DAYS):
                self._recent(profile, hours_ago=settings.DMS_PENDING_APPROVAL_HOURS + 8)
                services.orders_release_expired()
            elif profile.overdue_days == max(OVERDUE_DAYS):
                refused = self._recent(profile, hours_ago=30)
                refused = services.order_reject(
                    actor=self.finance, order=refused, reason="逾期账款已超过 90 天，请先安排回款再下单"
                )
                self._backdate_order(
                    refused,
                    {
                        "created": refused.created_at,
                        "submitted": refused.submitted_at,
                        "decided": timezone.now() - timedelta(hours=26),
                    },
                )
                self._recent(profile, hours_ago=5, note="已安排部分回款，请尽快审核")
            else:
                self._recent(profile, hours_ago=20)

        # Dealers near their limit: one past it waits for finance; finance let another through.
        positions = [(selectors.credit_position(dealer=p.dealer), p) for p in calm]
        near = sorted(
            ((position, p) for position, p in positions if 0 < position.available < 380_000),
            key=lambda item: -item[0].used_percent,
        )
        busy = {profile.dealer.pk for _position, profile in near[:2]}
        for n, (position, profile) in enumerate(near[:2]):
            amount = float(position.available) / 0.85 + rng.uniform(10_000, 30_000)
            order = self._recent(
                profile, hours_ago=3 + 27 * n, lines=self._pick_lines(profile, self.today, amount=amount)
            )
            if n == 1 and order.status == S.PENDING_APPROVAL:
                self._approve(order, reason="经销商已开具银行承兑汇票作担保，同意临时超额度")

        # A central air-conditioning project above the amount head office checks by hand.
        builders = [p for p in calm if p.dealer.tier == "A" and p.dealer.pk not in busy]
        if builders:
            busy.add(builders[0].dealer.pk)
            self._recent(
                builders[0], hours_ago=26, lines=self._project_lines(), note="工程项目：城西银泰写字楼中央空调"
            )

        # Approved, waiting to ship; shipped and on the road.
        free = [p for p in calm if p.dealer.pk not in busy]
        waiting = rng.sample(free, min(6, len(free)))
        for profile in waiting[:4]:
            self._recent(profile, hours_ago=rng.uniform(2, 40))
        for profile in [*waiting[4:], *([demo] if demo else [])]:
            order = self._recent(profile, hours_ago=rng.uniform(60, 90))
            if order.status == S.APPROVED:
                shipped = order.submitted_at + timedelta(days=1, hours=rng.randint(1, 6))
                plan = Plan(day=self.today, lines=[], order=order)
                plan.times = {"created": order.created_at, "submitted": order.submitted_at, "decided": order.decided_at}
                plan.times["shipped"] = shipped
                self._ship(profile, plan, deliver=False)
        if demo:
            self._demo_dealer_today(demo)

        # A dealer paid in advance: what is left after its invoices waits for the next one.
        prepaid = next((p for p in calm if p.round_payer), calm[0] if calm else None)
        if prepaid:
            owed = selectors.credit_position(dealer=prepaid.dealer).open_invoices
            amount = (owed + 50_000).quantize(Decimal("10000"))
            self._pay(prepaid.dealer, self.today - timedelta(days=2), amount, note="预付货款")

    def _demo_dealer_today(self, profile: Profile) -> None:
        """The demo dealer's portal: an approved order, a cancelled duplicate, and a cart in progress."""
        dealer_user = self.people.get("dealer")
        self._recent(profile, hours_ago=6, user=dealer_user)
        if dealer_user is None:
            return
        duplicate = services.order_create(
            actor=dealer_user,
            dealer=profile.dealer,
            lines=[{"product": p, "quantity": q} for p, q in self._pick_lines(profile, self.today)],
        )
        services.order_cancel(actor=dealer_user, order=duplicate, reason="重复下单")
        staff = self.people.get("dealerstaff")
        if staff:
            services.order_create(
                actor=staff,
                dealer=profile.dealer,
                lines=[{"product": p, "quantity": q} for p, q in self._pick_lines(profile, self.today, amount=15_000)],
                note="下周门店促销备货",
            )
        services.order_create(
            actor=dealer_user,
            dealer=profile.dealer,
            lines=[{"product": p, "quantity": q} for p, q in self._pick_lines(profile, self.today, amount=8_000)],
        )
