"""The orders app's routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from orders.api import (
    AuthorizationViewSet,
    DealerCreditViewSet,
    InvoiceViewSet,
    OrderViewSet,
    PaymentViewSet,
    PriceListViewSet,
    ProductLineViewSet,
    ProductViewSet,
    StockViewSet,
    WarehouseViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("product-lines", ProductLineViewSet, basename="product-line")
router.register("products", ProductViewSet, basename="product")
router.register("price-lists", PriceListViewSet, basename="price-list")
router.register("dealer-authorizations", AuthorizationViewSet, basename="dealer-authorization")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("stock", StockViewSet, basename="stock")
router.register("orders", OrderViewSet, basename="order")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = [
    path("dealers/<int:pk>/credit/", DealerCreditViewSet.as_view({"get": "credit"}), name="dealer-credit"),
    path(
        "dealers/<int:pk>/credit-limit/",
        DealerCreditViewSet.as_view({"post": "credit_limit"}),
        name="dealer-credit-limit",
    ),
    *router.urls,
]
