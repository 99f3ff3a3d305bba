"""``{{ amount|cny }}``: money as people read it, e.g. ¥1,234.50 (negative: -¥80.00)."""

from decimal import InvalidOperation

from django import template

from dms.money import as_money

register = template.Library()


@register.filter
def cny(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        amount = as_money(value)
    except (InvalidOperation, ValueError):
        return "—"
    # Amounts in yuan are written with comma thousands and two decimals in both languages.
    text = f"{abs(amount):,.2f}"
    return f"-¥{text}" if amount < 0 else f"¥{text}"
