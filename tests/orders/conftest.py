"""A small shop for dealer 1: one authorised product line with stock in two warehouses and credit."""

import pytest

from tests.factories.orders import make_shop


@pytest.fixture
def shop(dealer_one):
    return make_shop(dealer_one)
