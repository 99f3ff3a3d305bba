"""Money: amounts in CNY as ``Decimal``, stored with two decimals and rounded half up to the cent."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def as_money(value) -> Decimal:
    """A CNY amount rounded half up to the cent."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def money_field(verbose_name, **kwargs):
    """A money column: up to a trillion yuan, to the cent."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)
