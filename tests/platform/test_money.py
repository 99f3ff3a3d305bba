from decimal import Decimal

import pytest
from django.utils import translation

from dms.templatetags.money import cny


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("0.005"), "¥0.01"),
        (Decimal("-80"), "-¥80.00"),
        ("12000000", "¥12,000,000.00"),
        (None, "—"),
        ("not money", "—"),
    ],
)
def test_cny_formats_money_as_people_read_it(value, shown):
    with translation.override("zh-hans"):
        assert cny(value) == shown
