"""Dealer portal pages of the orders app, inside the ``portal`` namespace: catalogue, cart, orders, statement."""

from django.urls import path

from orders.views import portal as views

urlpatterns = [
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/add/", views.CartAddView.as_view(), name="cart_add"),
    path("cart/update/", views.CartUpdateView.as_view(), name="cart_update"),
    path("cart/remove/", views.CartRemoveView.as_view(), name="cart_remove"),
    path("cart/quick/", views.CartQuickView.as_view(), name="cart_quick"),
    path("cart/paste/", views.CartPasteView.as_view(), name="cart_paste"),
    path("cart/upload/", views.CartUploadView.as_view(), name="cart_upload"),
    path("cart/details/", views.CartDetailsView.as_view(), name="cart_details"),
    path("cart/submit/", views.CartSubmitView.as_view(), name="cart_submit"),
    path("orders/", views.PortalOrderListView.as_view(), name="orders"),
    path("orders/<int:pk>/", views.PortalOrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="order_cancel"),
    path("orders/<int:pk>/deliver/", views.OrderDeliverView.as_view(), name="order_deliver"),
    path("orders/<int:pk>/reorder/", views.OrderReorderView.as_view(), name="order_reorder"),
    path("orders/<int:pk>/edit/", views.OrderEditView.as_view(), name="order_edit"),
    path("orders/<int:pk>/submit/", views.OrderSubmitView.as_view(), name="order_submit"),
    path("statement/", views.StatementView.as_view(), name="statement"),
]
