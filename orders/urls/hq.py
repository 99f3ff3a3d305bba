"""Head-office pages of the orders app, under /hq/: the order desk, and the catalogue, stock, invoices,
payments, aging and credit."""

from django.urls import path

from orders import pickers
from orders.views.hq import finance, orders

app_name = "orders"
urlpatterns = [
    path("orders/", orders.OrderListView.as_view(), name="list"),
    path("pickers/products/", pickers.ProductPicker.as_view(), name="picker_products"),
    path("orders/approvals/", orders.ApprovalQueueView.as_view(), name="approvals"),
    path("orders/new/", orders.OrderCreateView.as_view(), name="create"),
    path("orders/<int:pk>/", orders.OrderDetailView.as_view(), name="detail"),
    path("orders/<int:pk>/submit/", orders.OrderSubmitView.as_view(), name="submit"),
    path("orders/<int:pk>/approve/", orders.OrderApproveView.as_view(), name="approve"),
    path("orders/<int:pk>/reject/", orders.OrderRejectView.as_view(), name="reject"),
    path("orders/<int:pk>/cancel/", orders.OrderCancelView.as_view(), name="cancel"),
    path("orders/<int:pk>/ship/", orders.OrderShipView.as_view(), name="ship"),
    path("orders/<int:pk>/deliver/", orders.OrderDeliverView.as_view(), name="deliver"),
    path("orders/<int:pk>/copy/", orders.OrderCopyView.as_view(), name="copy"),
    path("orders/<int:pk>/lines/", orders.OrderAddLineView.as_view(), name="add_line"),
    path("orders/<int:pk>/lines/<int:line_pk>/remove/", orders.OrderRemoveLineView.as_view(), name="remove_line"),
    path("products/", finance.ProductListView.as_view(), name="products"),
    path("products/<int:pk>/", finance.ProductDetailView.as_view(), name="product_detail"),
    path("products/<int:pk>/image/", finance.ProductImageView.as_view(), name="product_image"),
    path("stock/", finance.StockListView.as_view(), name="stock"),
    path("stock/adjust/", finance.StockAdjustView.as_view(), name="stock_adjust"),
    path("stock/import/", finance.StockImportView.as_view(), name="stock_import"),
    path("invoices/", finance.InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:pk>/", finance.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("payments/", finance.PaymentListView.as_view(), name="payments"),
    path("payments/new/", finance.PaymentCreateView.as_view(), name="payment_create"),
    path("payments/import/", finance.PaymentImportView.as_view(), name="payment_import"),
    path("aging/", finance.AgingReportView.as_view(), name="aging"),
    path("credit/<int:dealer_pk>/", finance.CreditView.as_view(), name="credit"),
    path("credit/<int:dealer_pk>/limit/", finance.CreditLimitView.as_view(), name="credit_limit"),
    path("credit/<int:dealer_pk>/warehouse/", finance.DefaultWarehouseView.as_view(), name="default_warehouse"),
]
