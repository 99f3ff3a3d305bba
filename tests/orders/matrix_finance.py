"""Permission-matrix entries for the finance, stock and catalogue pages (see tests/platform/permission_matrix.py).

Every page is head office's. Products and stock are not any dealer's, so every HQ role reaches them; the sample
invoice and credit account belong to dealer 1, outside the rep's (empty) territory. Actions are POSTed without
input: access control decides before the form does, and a refused action comes back as a message. The product
picture is also served to dealers whose catalogue holds the product.
"""

from django.core.files.base import ContentFile
from django.urls import reverse

from orders.models import Product
from tests.factories import png_bytes
from tests.platform.permission_matrix import HQ_ADMIN_ONLY, HQ_IN_SCOPE, HQ_ONLY, outcomes

API: dict = {}
PRODUCT_ROUTES = {"orders:product_detail", "orders:product_image"}
DEALER_ROUTES = {"orders:credit", "orders:credit_limit", "orders:default_warehouse"}


HTML = {
    ("GET", "orders:products"): HQ_ONLY,
    ("GET", "orders:product_detail"): HQ_ONLY,
    ("GET", "orders:product_image"): outcomes(other_dealer="404"),
    # Stock is for those who count it or ship (``adjust_stock``, ``ship_order``), payments for those who record them:
    # in the matrix only the HQ administrator holds these permissions.
    ("GET", "orders:stock"): HQ_ADMIN_ONLY,
    ("POST", "orders:stock_adjust"): HQ_ONLY,
    ("GET", "orders:stock_import"): HQ_ONLY,
    ("GET", "orders:invoices"): HQ_ONLY,
    ("GET", "orders:invoice_detail"): HQ_IN_SCOPE,
    ("GET", "orders:payments"): HQ_ADMIN_ONLY,
    ("GET", "orders:payment_create"): HQ_ONLY,
    ("GET", "orders:payment_import"): HQ_ONLY,
    ("GET", "orders:aging"): HQ_ONLY,
    ("GET", "orders:credit"): HQ_IN_SCOPE,
    ("POST", "orders:credit_limit"): HQ_IN_SCOPE,
    ("POST", "orders:default_warehouse"): HQ_IN_SCOPE,
}


def object_id(param_path: str, world) -> int | None:
    """The id a path parameter of one of these routes names, or None when the route is not ours."""
    if param_path in PRODUCT_ROUTES:
        return world["product"].pk
    if param_path == "orders:invoice_detail":
        return world["invoice"].pk
    if param_path in DEALER_ROUTES:
        return world["dealer"].pk
    return None


def html_url(name: str, world) -> str | None:
    """The URL of a route of ours that takes more than one argument, or None. The picture route needs a
    picture: it is stored inside the request's rolled-back transaction, so it is given again each time."""
    if name == "orders:product_image":
        product = world["product"]
        product.image.save("matrix.png", ContentFile(png_bytes()), save=False)
        Product.objects.filter(pk=product.pk).update(image=product.image.name)
        return reverse(name, args=[product.pk])
    return None
