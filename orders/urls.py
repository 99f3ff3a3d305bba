"""Head-office pages of the orders app, under /hq/: the order desk, and stock, invoices, payments and credit."""

from django.urls import include, path

app_name = "orders"
urlpatterns = [
    path("", include("orders.desk_urls")),
    path("", include("orders.finance_urls")),
]
