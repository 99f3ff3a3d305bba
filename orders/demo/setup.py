"""The demo's authorisations, credit limits, default warehouses and stock: set up before the year of
orders, with this month's stocktake and the receipts and write-offs since."""

import math
from datetime import timedelta

from dealers.demo import DEMO_DEALER_CODE
from dealers.models import Dealer
from dms.events.models import Event
from orders import services, verbs
from orders.demo.base import OVERDUE_DAYS, HistoryBase, Profile, at
from orders.demo.catalogue import LINES
from orders.models import Product, StockLevel, StockMovement

TIER_LIMIT = {"A": 1_500_000, "B": 800_000, "C": 400_000, "D": 200_000}


def _distance_km(lat1, lng1, lat2, lng2) -> float:
    lat1, lng1, lat2, lng2 = (math.radians(float(v)) for v in (lat1, lng1, lat2, lng2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


class TradingSetup(HistoryBase):
    """Authorisations and payment habits, credit, opening stock and the stocktake."""

    def _authorize_and_profile(self, dealer: Dealer) -> Profile:
        """Authorise the dealer for its product lines and decide how it pays."""
        rng = self.rng
        if dealer.code == DEMO_DEALER_CODE:
            codes = [code for code, *_rest in LINES]
        else:
            low, high = {"A": (4, 5), "B": (3, 5), "C": (2, 4), "D": (2, 3)}[dealer.tier]
            # Every dealer sells kitchen appliances; the big ones also run air-conditioning projects.
            codes = ["kitchen", "air-conditioning"] if dealer.tier == "A" else ["kitchen"]
            others = [c for c, *_r in LINES if c not in codes]
            codes += rng.sample(others, rng.randint(low, high) - len(codes))
        for code in codes:
            regions = None
            # Central air conditioning is installed locally: those authorisations stop at the dealer's city.
            if code == "air-conditioning" and (dealer.code == DEMO_DEALER_CODE or rng.random() < 0.3):
                regions = [dealer.region]
            services.authorization_save(
                actor=self.admin,
                dealer=dealer,
                product_line=self.lines[code],
                valid_from=self.start - timedelta(days=30),
                regions=regions,
            )
        delay = rng.choice([(-5, 3), (-3, 5), (0, 10), (5, 25)])
        return Profile(
            dealer=dealer,
            lines=[self.lines[c] for c in codes],
            delay=delay,
            round_payer=rng.random() < 0.15,
        )

    def _lapsed_authorization(self, profiles: list[Profile]) -> None:
        """One dealer's authorisation for a further line ran out two months ago and was not renewed."""
        for profile in profiles:
            missing = [line for line in self.lines.values() if line not in profile.lines]
            if profile.dealer.code != DEMO_DEALER_CODE and missing:
                services.authorization_save(
                    actor=self.admin,
                    dealer=profile.dealer,
                    product_line=missing[0],
                    valid_from=self.start - timedelta(days=395),
                    valid_until=self.today - timedelta(days=60),
                )
                return

    def _set_credit(self) -> None:
        for dealer in self.dealers:
            limit = TIER_LIMIT[dealer.tier] // (2 if dealer.status == Dealer.Status.PROBATION else 1)
            services.credit_limit_set(
                actor=self.finance, dealer=dealer, credit_limit=limit, reason=f"年度授信：{dealer.tier} 级经销商"
            )
            lat = dealer.latitude or dealer.region.latitude
            lng = dealer.longitude or dealer.region.longitude
            nearest = min(self.warehouses.values(), key=lambda w: _distance_km(lat, lng, w.latitude, w.longitude))
            services.default_warehouse_set(actor=self.admin, dealer=dealer, warehouse=nearest)

    def _backdate_setup(self) -> None:
        """The catalogue, prices, authorisations and credit limits were set up before the year began."""
        when = at(self.start - timedelta(days=30), 10)
        Product.objects.update(created_at=when, updated_at=when)
        Event.objects.filter(
            verb__in=[
                verbs.CATALOGUE_CHANGED.code,
                verbs.AUTHORIZATION_CHANGED.code,
                verbs.CREDIT_LIMIT_CHANGED.code,
            ]
        ).update(created_at=when)

    def _initial_stock(self, profiles: list[Profile]) -> None:
        """Opening stock a year ago: enough in every warehouse for the year (the stocktake sets it right)."""
        demand: dict[int, int] = {}
        for profile in profiles:
            for plan in profile.plans:
                for product, quantity in plan.lines:
                    demand[product.pk] = demand.get(product.pk, 0) + quantity
        counts = [
            (warehouse, product, demand.get(product.pk, 0) + 500)
            for warehouse in self.warehouses.values()
            for product in self.products.values()
        ]
        services.stock_set_counts(actor=self.desk, counts=counts, reason="期初库存导入（WMS）")
        when = at(self.start - timedelta(days=1), 18)
        StockMovement.objects.filter(kind=StockMovement.Kind.IMPORT).update(created_at=when)
        Event.objects.filter(verb=verbs.STOCK_IMPORTED.code).update(created_at=when)

    def _cast(self, profiles: list[Profile]) -> None:
        """Give some dealers the parts the demo needs: late payers past 30, 60 and 90 days, project orders."""
        calm = [p for p in profiles if p.dealer.code != DEMO_DEALER_CODE and p.dealer.status == Dealer.Status.ACTIVE]
        late = [p for p in calm if p.dealer.tier in ("C", "D") and p.dealer.payment_terms_days >= 15]
        for profile, days in zip(self.rng.sample(late, min(len(late), len(OVERDUE_DAYS))), OVERDUE_DAYS, strict=False):
            profile.overdue_days = days
        air = self.lines["air-conditioning"]
        for profile in calm:
            if profile.dealer.tier == "A":
                profile.project = "approved"
        builders = [p for p in calm if p.dealer.tier == "B" and air in p.lines and p.overdue_days is None]
        if builders:
            builders[0].project = "rejected"

    def _stocktake(self) -> None:
        """This month's count: most products in stock, some low, some out; reserved units are all there."""
        rng = self.rng
        counts, spare = [], []
        levels = StockLevel.objects.select_related("warehouse", "product").order_by("product__sku", "warehouse__code")
        for level in levels:
            product, roll = level.product, rng.random()
            if not product.is_active or roll < 0.07:
                free = 0
            elif roll < 0.17:
                free = rng.randint(1, 3) * product.pack_size
            else:
                typical = max(10, int(60_000 / product.base_price))
                free = rng.randint(typical // 2, typical * 2) // product.pack_size * product.pack_size
            counts.append((level.warehouse, product, level.reserved + free))
            if free >= 10 * product.pack_size:
                spare.append((level.warehouse, product))
        services.stock_set_counts(actor=self.desk, counts=counts, reason=f"{self.today:%Y年%m月}月度盘点")
        # Since the count: goods received from the factory, and a pack damaged in handling written off.
        *received, damaged = rng.sample(spare, 4)
        for n, (warehouse, product) in enumerate(received, start=1):
            reason = f"采购入库 PO{self.today:%Y%m%d}{n:02d}"
            delta = 20 * product.pack_size
            services.stock_adjust(actor=self.desk, warehouse=warehouse, product=product, delta=delta, reason=reason)
        warehouse, product = damaged
        services.stock_adjust(
            actor=self.desk, warehouse=warehouse, product=product, delta=-product.pack_size, reason="搬运破损报废"
        )
