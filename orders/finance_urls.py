"""Head-office pages: catalogue, stock, invoices, payments, aging and credit (inside the ``orders`` namespace)."""

from django.urls import path

from orders import finance_views as views

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="products"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("products/<int:pk>/image/", views.ProductImageView.as_view(), name="product_image"),
    path("stock/", views.StockListView.as_view(), name="stock"),
    path("stock/adjust/", views.StockAdjustView.as_view(), name="stock_adjust"),
    path("stock/import/", views.StockImportView.as_view(), name="stock_import"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("payments/", views.PaymentListView.as_view(), name="payments"),
    path("payments/new/", views.PaymentCreateView.as_view(), name="payment_create"),
    path("payments/import/", views.PaymentImportView.as_view(), name="payment_import"),
    path("aging/", views.AgingReportView.as_view(), name="aging"),
    path("credit/<int:dealer_pk>/", views.CreditView.as_view(), name="credit"),
    path("credit/<int:dealer_pk>/limit/", views.CreditLimitView.as_view(), name="credit_limit"),
    path("credit/<int:dealer_pk>/warehouse/", views.DefaultWarehouseView.as_view(), name="default_warehouse"),
]
