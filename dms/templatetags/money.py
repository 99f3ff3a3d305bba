"""``{{ amount|cny }}``: money as people read it, e.g. ¥1,234.50 (negative: -¥80.00)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")


@register.filter
def cny(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return "—"
    # Amounts in yuan are written with comma thousands and two decimals in both languages.
    text = f"{abs(amount):,.2f}"
    return f"-¥{text}" if amount < 0 else f"¥{text}"
