"""Factories and helpers for the orders app: a catalogue a dealer is authorised for, stock, credit."""

from decimal import Decimal
from types import SimpleNamespace

import factory

from orders.models import (
    CreditAccount,
    DealerAuthorization,
    PriceList,
    PriceListItem,
    Product,
    ProductLine,
    StockLevel,
    Warehouse,
)
from tests.factories import region


class ProductLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductLine
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"line-{n}")
    name = factory.Sequence(lambda n: f"产品线{n}")
    name_en = factory.Sequence(lambda n: f"Line {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    name_en = factory.Sequence(lambda n: f"Product {n}")
    product_line = factory.SubFactory(ProductLineFactory)
    base_price = Decimal("100.00")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.Sequence(lambda n: f"仓库{n}")
    name_en = factory.Sequence(lambda n: f"Warehouse {n}")
    region = factory.LazyFunction(lambda: region("330100"))


def authorize(dealer, *lines, regions=(), **kwargs) -> None:
    for line in lines:
        auth = DealerAuthorization.objects.create(dealer=dealer, product_line=line, **kwargs)
        if regions:
            auth.regions.set(regions)


def stock(product, warehouse, on_hand: int, reserved: int = 0) -> StockLevel:
    level, _ = StockLevel.objects.update_or_create(
        warehouse=warehouse, product=product, defaults={"on_hand": on_hand, "reserved": reserved}
    )
    return level


def credit(dealer, limit, warehouse=None) -> CreditAccount:
    account, _ = CreditAccount.objects.update_or_create(
        dealer=dealer, defaults={"credit_limit": Decimal(limit), "default_warehouse": warehouse}
    )
    return account


def price_list(*, items: dict, tier: str = "", dealer=None, **kwargs) -> PriceList:
    kind = PriceList.Kind.DEALER if dealer is not None else PriceList.Kind.TIER
    plist = PriceList.objects.create(name=f"{kind} {tier or dealer}", kind=kind, tier=tier, dealer=dealer, **kwargs)
    PriceListItem.objects.bulk_create(
        [PriceListItem(price_list=plist, product=p, price=Decimal(price)) for p, price in items.items()]
    )
    return plist


def grant(user, *codenames) -> None:
    """Give an HQ user permissions of the orders app (as its groups would)."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="orders", codename__in=codenames))
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


def make_shop(dealer):
    """A small shop for ``dealer``: one authorised product line (kettle, oven) and one not (washer), stock in
    the 杭州 (100 each) and 上海 (50 each) warehouses, and ¥100,000 of credit."""
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    other_line = ProductLineFactory(code="laundry", name="洗衣机", name_en="Laundry")
    main = WarehouseFactory(code="HZ", name="杭州仓", name_en="Hangzhou", priority=1)
    spare = WarehouseFactory(code="SH", name="上海仓", name_en="Shanghai", priority=2)
    kettle = ProductFactory(sku="K-100", product_line=line, base_price="100.00")
    oven = ProductFactory(sku="K-200", product_line=line, base_price="1000.00", pack_size=2)
    washer = ProductFactory(sku="L-100", product_line=other_line, base_price="3000.00")
    authorize(dealer, line)
    for product in (kettle, oven, washer):
        stock(product, main, 100)
        stock(product, spare, 50)
    credit(dealer, "100000.00", warehouse=main)
    return SimpleNamespace(
        line=line, other_line=other_line, main=main, spare=spare, kettle=kettle, oven=oven, washer=washer
    )


def levels(product) -> dict:
    """The product's stock per warehouse code: (on hand, reserved)."""
    return {lvl.warehouse.code: (lvl.on_hand, lvl.reserved) for lvl in StockLevel.objects.filter(product=product)}
