"""Routes of the head-office order desk, under /hq/orders/ (namespace ``orders``)."""

from django.urls import path

from orders import desk_views as views

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="list"),
    path("orders/approvals/", views.ApprovalQueueView.as_view(), name="approvals"),
    path("orders/new/", views.OrderCreateView.as_view(), name="create"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="detail"),
    path("orders/<int:pk>/submit/", views.OrderSubmitView.as_view(), name="submit"),
    path("orders/<int:pk>/approve/", views.OrderApproveView.as_view(), name="approve"),
    path("orders/<int:pk>/reject/", views.OrderRejectView.as_view(), name="reject"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="cancel"),
    path("orders/<int:pk>/ship/", views.OrderShipView.as_view(), name="ship"),
    path("orders/<int:pk>/deliver/", views.OrderDeliverView.as_view(), name="deliver"),
    path("orders/<int:pk>/copy/", views.OrderCopyView.as_view(), name="copy"),
    path("orders/<int:pk>/lines/", views.OrderAddLineView.as_view(), name="add_line"),
    path("orders/<int:pk>/lines/<int:line_pk>/remove/", views.OrderRemoveLineView.as_view(), name="remove_line"),
]
