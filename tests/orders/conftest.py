"""A small shop for dealer 1: one authorised product line with stock in two warehouses and credit."""

from types import SimpleNamespace

import pytest

from tests.factories.orders import ProductFactory, ProductLineFactory, WarehouseFactory, authorize, credit, stock


@pytest.fixture
def shop(dealer_one):
    line = ProductLineFactory(code="kitchen", name="厨房电器", name_en="Kitchen")
    other_line = ProductLineFactory(code="laundry", name="洗衣机", name_en="Laundry")
    main = WarehouseFactory(code="HZ", name="杭州仓", name_en="Hangzhou", priority=1)
    spare = WarehouseFactory(code="SH", name="上海仓", name_en="Shanghai", priority=2)
    kettle = ProductFactory(sku="K-100", product_line=line, base_price="100.00")
    oven = ProductFactory(sku="K-200", product_line=line, base_price="1000.00", pack_size=2)
    washer = ProductFactory(sku="L-100", product_line=other_line, base_price="3000.00")
    authorize(dealer_one, line)
    for product in (kettle, oven, washer):
        stock(product, main, 100)
        stock(product, spare, 50)
    credit(dealer_one, "100000.00", warehouse=main)
    return SimpleNamespace(
        line=line, other_line=other_line, main=main, spare=spare, kettle=kettle, oven=oven, washer=washer
    )
