"""API for the catalogue, prices, stock, orders, invoices, payments and credit: the same selectors and
services as the HQ pages and the portal."""

from orders.api.billing import DealerCreditViewSet, InvoiceViewSet, PaymentViewSet
from orders.api.catalogue import AuthorizationViewSet, PriceListViewSet, ProductLineViewSet, ProductViewSet
from orders.api.orders import OrderViewSet
from orders.api.stock import StockViewSet, WarehouseViewSet

__all__ = [
    "AuthorizationViewSet",
    "DealerCreditViewSet",
    "InvoiceViewSet",
    "OrderViewSet",
    "PaymentViewSet",
    "PriceListViewSet",
    "ProductLineViewSet",
    "ProductViewSet",
    "StockViewSet",
    "WarehouseViewSet",
]
