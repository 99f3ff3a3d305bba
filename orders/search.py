"""Orders, invoices and products in the top bar's search: numbers and SKUs by prefix, product names when
the query is long enough, always within what the user may see (head office's console and the dealer portal)."""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dms.search import AUDIENCE_HQ, AUDIENCE_PORTAL, Provider, Query, Result, register
from orders.selectors import invoice_list, orders_in_scope, product_list


def number_matches(query: Query, prefix: str) -> Q:
    """Numbers starting with the query, written in full (``SO-20261203-0001``) or without their prefix
    (``20261203-0001``)."""
    match = Q()
    for typed in query.prefixes:
        match |= Q(number__startswith=typed)
    if query.text[0].isdigit():
        match |= Q(number__startswith=f"{prefix}-{query.upper}")
    return match


def _orders(user, query: Query, limit: int):
    return orders_in_scope(user=user).filter(number_matches(query, "SO")).order_by("-created_at", "-id")[:limit]


def _invoices(user, query: Query, limit: int):
    return invoice_list(user=user).filter(number_matches(query, "INV")).order_by("-issued_on", "-id")[:limit]


def _products(user, query: Query, limit: int):
    match = Q()
    for typed in query.prefixes:
        match |= Q(sku__startswith=typed)
    if query.names:
        match |= Q(name__icontains=query.text) | Q(name_en__icontains=query.text)
    return product_list(user=user).filter(match)[:limit]


def _order_result(order, url: str) -> Result:
    return Result(
        label=order.number, secondary=f"{order.dealer.name} · {order.get_status_display()}", url=url, kind="order"
    )


def _invoice_result(invoice, url: str) -> Result:
    return Result(
        label=invoice.number,
        secondary=f"{invoice.dealer.name} · {invoice.order.number} · {invoice.get_status_display()}",
        url=url,
        kind="invoice",
    )


def _product_result(product, url: str) -> Result:
    return Result(
        label=product.sku,
        secondary=f"{product.local_name} · {product.product_line.local_name}",
        url=url,
        kind="product",
    )


def hq_orders(user, query: Query, limit: int) -> list[Result]:
    return [_order_result(o, reverse("orders:detail", args=[o.pk])) for o in _orders(user, query, limit)]


def hq_invoices(user, query: Query, limit: int) -> list[Result]:
    return [_invoice_result(i, reverse("orders:invoice_detail", args=[i.pk])) for i in _invoices(user, query, limit)]


def hq_products(user, query: Query, limit: int) -> list[Result]:
    return [_product_result(p, reverse("orders:product_detail", args=[p.pk])) for p in _products(user, query, limit)]


def portal_orders(user, query: Query, limit: int) -> list[Result]:
    return [_order_result(o, reverse("portal:order_detail", args=[o.pk])) for o in _orders(user, query, limit)]


def portal_invoices(user, query: Query, limit: int) -> list[Result]:
    """The portal shows an invoice on its order's page."""
    return [
        _invoice_result(i, reverse("portal:order_detail", args=[i.order_id])) for i in _invoices(user, query, limit)
    ]


def portal_products(user, query: Query, limit: int) -> list[Result]:
    """Products the dealer may order, each leading to the catalogue filtered on its SKU."""
    catalogue = reverse("portal:catalogue")
    return [_product_result(p, f"{catalogue}?{urlencode({'q': p.sku})}") for p in _products(user, query, limit)]


PROVIDERS = (
    ("order", _("Orders"), "bi-receipt", AUDIENCE_HQ, hq_orders, "orders:list"),
    ("invoice", _("Invoices"), "bi-file-earmark-text", AUDIENCE_HQ, hq_invoices, "orders:invoices"),
    ("product", _("Products"), "bi-box-seam", AUDIENCE_HQ, hq_products, "orders:products"),
    ("order", _("Orders"), "bi-receipt", AUDIENCE_PORTAL, portal_orders, "portal:orders"),
    ("invoice", _("Invoices"), "bi-file-earmark-text", AUDIENCE_PORTAL, portal_invoices, "portal:orders"),
    ("product", _("Products"), "bi-box-seam", AUDIENCE_PORTAL, portal_products, "portal:catalogue"),
)
for kind, title, icon, audience, find, page in PROVIDERS:
    register(Provider(kind=kind, title=title, icon=icon, audience=audience, find=find, page=page))
