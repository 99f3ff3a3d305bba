"""Order to cash: catalogue, authorisation, prices, warehouses and stock, orders, invoices, payments, credit.

Stock and credit rules are backed by database constraints, so a bug in a service cannot
oversell or allocate more than was paid.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dms.money import ZERO, money_field
from dms.validators import validate_code


class BilingualName(models.Model):
    """A Chinese name and an English one; ``local_name`` follows the reader's language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def local_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class ProductLine(BilingualName):
    """A group of products that dealers are authorised to sell (产品线)."""

    code = models.SlugField(_("code"), max_length=40, unique=True, validators=[validate_code])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self) -> str:
        return self.local_name


def product_image_path(instance, filename: str) -> str:
    return f"products/{instance.sku}/{filename}"


class Product(BilingualName):
    """A product dealers order, with its SKU, sales unit, pack size, base price and VAT rate."""

    class Unit(models.TextChoices):
        PIECE = "piece", _("piece")
        SET = "set", _("set")
        BOX = "box", _("box")
        CARTON = "carton", _("carton")

    sku = models.CharField(_("SKU"), max_length=40, unique=True, validators=[validate_code])
    product_line = models.ForeignKey(
        ProductLine, on_delete=models.PROTECT, related_name="products", verbose_name=_("product line")
    )
    unit = models.CharField(_("sales unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    pack_size = models.PositiveIntegerField(
        _("pack size"), default=1, validators=[MinValueValidator(1)], help_text=_("Order quantities must be multiples.")
    )
    base_price = money_field(_("base price (incl. VAT)"), validators=[MinValueValidator(ZERO)])
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=3, default=Decimal("0.130"))
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=3, default=ZERO)
    volume_m3 = models.DecimalField(_("volume (m³)"), max_digits=10, decimal_places=4, default=ZERO)
    is_active = models.BooleanField(_("active"), default=True)
    image = models.ImageField(_("image"), upload_to=product_image_path, blank=True, max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["name"], name="product_name_idx"),
            models.Index(fields=["base_price"], name="product_base_price_idx"),
        ]
        permissions = [("manage_catalogue", _("Can manage products, price lists, warehouses and authorisations"))]
        constraints = [
            models.CheckConstraint(condition=Q(pack_size__gte=1), name="product_pack_size_positive"),
            models.CheckConstraint(condition=Q(base_price__gte=0), name="product_base_price_not_negative"),
            models.CheckConstraint(condition=Q(vat_rate__gte=0, vat_rate__lt=1), name="product_vat_rate_range"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.local_name}"


class DealerAuthorization(models.Model):
    """A dealer may sell a product line (授权经营), optionally only in some regions and dates."""

    dealer = models.ForeignKey(
        "dealers.Dealer", on_delete=models.CASCADE, related_name="authorizations", verbose_name=_("dealer")
    )
    product_line = models.ForeignKey(
        ProductLine, on_delete=models.CASCADE, related_name="authorizations", verbose_name=_("product line")
    )
    regions = models.ManyToManyField(
        "dealers.Region",
        blank=True,
        related_name="+",
        verbose_name=_("regions"),
        help_text=_("Leave empty to authorise everywhere the dealer sells."),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["dealer", "product_line"]
        verbose_name = _("dealer authorisation")
        verbose_name_plural = _("dealer authorisations")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "product_line", "valid_from"], name="authorization_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="authorization_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dealer} · {self.product_line}"


class PriceList(models.Model):
    """Prices for a tier or for one dealer, valid between two dates (价格表)."""

    class Kind(models.TextChoices):
        TIER = "tier", _("tier")
        DEALER = "dealer", _("dealer")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    tier = models.CharField(_("tier"), max_length=1, blank=True)
    dealer = models.ForeignKey(
        "dealers.Dealer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="price_lists",
        verbose_name=_("dealer"),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "tier", "-valid_from"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="tier") & ~Q(tier="") & Q(dealer__isnull=True))
                | (Q(kind="dealer") & Q(tier="") & Q(dealer__isnull=False)),
                name="price_list_tier_xor_dealer",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="price_list_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """One product's price on a price list."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product"))
    price = money_field(_("price (incl. VAT)"), validators=[MinValueValidator(ZERO)])

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_list_item_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list} · {self.product.sku}"


class Warehouse(BilingualName):
    """A warehouse orders ship from; when the dealer's default warehouse is short, lower priorities ship first."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[validate_code])
    region = models.ForeignKey("dealers.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=10, help_text=_("When the default warehouse is short, lower numbers ship first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return f"{self.code} {self.local_name}"


class StockLevel(models.Model):
    """Stock of one product in one warehouse. ``available = on_hand - reserved`` can never go negative."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock", verbose_name=_("warehouse")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock", verbose_name=_("product"))
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["warehouse", "product"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        indexes = [
            models.Index(fields=["on_hand"], name="stock_on_hand_idx"),
            models.Index(fields=["updated_at"], name="stock_updated_idx"),
        ]
        permissions = [("adjust_stock", _("Can receive, adjust and import stock"))]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code} · {self.product.sku}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """The ledger of every change to a stock level, with who and why."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("receipt")
        ADJUSTMENT = "adjustment", _("adjustment")
        IMPORT = "import", pgettext_lazy("stock movement", "import")
        RESERVE = "reserve", _("reserved for an order")
        RELEASE = "release", _("reservation released")
        SHIP = "ship", _("shipped")

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    order = models.ForeignKey(
        "Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_hand_delta:+d}/{self.reserved_delta:+d}"


class CreditAccount(models.Model):
    """A dealer's credit limit and default warehouse. Credit checks lock this row, one dealer at a time."""

    dealer = models.OneToOneField(
        "dealers.Dealer", on_delete=models.CASCADE, related_name="credit_account", verbose_name=_("dealer")
    )
    credit_limit = money_field(_("credit limit"), default=ZERO)
    default_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default warehouse"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [models.CheckConstraint(condition=Q(credit_limit__gte=0), name="credit_limit_not_negative")]

    def __str__(self) -> str:
        return str(self.dealer)


class Order(models.Model):
    """A dealer's order, from draft through approval and shipping to completion (its lines, prices and times)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        PENDING_APPROVAL = "pending_approval", _("pending approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        PARTIALLY_SHIPPED = "partially_shipped", _("partially shipped")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("order number"), max_length=24, unique=True, editable=False)
    dealer = models.ForeignKey(
        "dealers.Dealer", on_delete=models.PROTECT, related_name="orders", verbose_name=_("dealer")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("copied from")
    )
    ship_to_address = models.CharField(_("ship-to address"), max_length=300, blank=True)
    ship_to_region = models.ForeignKey(
        "dealers.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ship-to region"),
    )
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    net_amount = money_field(_("net amount"), default=ZERO)
    vat_amount = money_field(_("VAT"), default=ZERO)
    gross_amount = money_field(_("amount (incl. VAT)"), default=ZERO, db_index=True)
    approval_reasons = models.JSONField(_("reasons for approval"), default=list, blank=True)
    decision_reason = models.CharField(_("decision reason"), max_length=1000, blank=True)
    credit_override = models.BooleanField(_("approved past the credit limit"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            # A dealer's orders newest first (the portal, a rep's dealers, the dealer page), and the approval queue
            # in the order orders were submitted.
            models.Index(fields=["dealer", "-created_at", "-id"], name="order_dealer_created_idx"),
            models.Index(fields=["status", "submitted_at", "id"], name="order_status_submitted_idx"),
        ]
        permissions = [
            ("approve_order", _("Can approve and reject orders")),
            ("ship_order", _("Can ship and deliver orders")),
            ("approve_credit_override", _("Can approve orders past the credit limit")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(gross_amount__gte=0), name="order_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """A product and quantity of an order, with the prices frozen when the order was submitted."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = money_field(_("unit price (incl. VAT)"), null=True, blank=True)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=3, null=True, blank=True)
    net_amount = money_field(_("net amount"), default=ZERO)
    vat_amount = money_field(_("VAT"), default=ZERO)
    gross_amount = money_field(_("amount (incl. VAT)"), default=ZERO)
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="order_line_one_per_product"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(shipped_quantity__lte=F("quantity")), name="order_line_not_overshipped"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.product.sku} × {self.quantity}"

    @property
    def to_ship(self) -> int:
        return self.quantity - self.shipped_quantity


class Reservation(models.Model):
    """Units of an order line held in one warehouse until the order ships or is released."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="reservations", verbose_name=_("line"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.UniqueConstraint(fields=["line", "warehouse"], name="reservation_one_per_warehouse"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reservation_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id} × {self.quantity}"


class Invoice(models.Model):
    """What a dealer owes for what was shipped of an order (应收单): one per shipment. Overdue is derived from
    the due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PARTIALLY_PAID = "partially_paid", _("partially paid")
        PAID = "paid", _("paid")

    number = models.CharField(_("invoice number"), max_length=24, unique=True, editable=False)
    dealer = models.ForeignKey(
        "dealers.Dealer", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("dealer")
    )
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order"))
    net_amount = money_field(_("net amount"))
    vat_amount = money_field(_("VAT"))
    gross_amount = money_field(_("amount (incl. VAT)"))
    paid_amount = money_field(_("paid"), default=ZERO)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    issued_on = models.DateField(_("issued on"), db_index=True)
    due_on = models.DateField(_("due on"), db_index=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["gross_amount"], name="invoice_gross_amount_idx"),
            # A dealer's invoices newest first, and its statement of a period.
            models.Index(fields=["dealer", "-issued_on", "-id"], name="invoice_dealer_issued_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="invoice_paid_not_negative"),
            models.CheckConstraint(condition=Q(paid_amount__lte=F("gross_amount")), name="invoice_not_overpaid"),
            models.CheckConstraint(condition=Q(due_on__gte=F("issued_on")), name="invoice_due_after_issue"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        return self.gross_amount - self.paid_amount

    def days_overdue(self, today=None) -> int:
        if self.status == self.Status.PAID:
            return 0
        today = today or timezone.localdate()
        return max((today - self.due_on).days, 0)


class Payment(models.Model):
    """Money received from a dealer (回款), allocated to its oldest open invoices first."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        BANK_ACCEPTANCE = "bank_acceptance", _("bank acceptance bill")
        CASH = "cash", _("cash")
        OTHER = "other", _("other")
        # Not money received: what the brand owes the dealer back (a delivery claim, a campaign payout), applied
        # to its open invoices like a payment.
        CREDIT_NOTE = "credit_note", _("credit note")

    # The methods of money received, which a person records or imports; credit notes are issued by the system.
    RECEIVED_METHODS = [choice for choice in Method.choices if choice[0] != "credit_note"]

    dealer = models.ForeignKey(
        "dealers.Dealer", on_delete=models.PROTECT, related_name="payments", verbose_name=_("dealer")
    )
    amount = money_field(_("amount"))
    unallocated_amount = money_field(_("unallocated"))
    received_on = models.DateField(_("received on"), db_index=True)
    reference = models.CharField(_("reference"), max_length=100)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.BANK_TRANSFER)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            models.Index(fields=["amount"], name="payment_amount_idx"),
            # A dealer's payments newest first, and its statement of a period.
            models.Index(fields=["dealer", "-received_on", "-id"], name="payment_dealer_received_idx"),
        ]
        permissions = [
            ("record_payment", _("Can record and import payments")),
            ("change_credit_limit", _("Can change dealers' credit limits")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "reference"], name="payment_reference_unique_per_dealer"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(unallocated_amount__gte=0) & Q(unallocated_amount__lte=F("amount")),
                name="payment_unallocated_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.amount}"


class PaymentAllocation(models.Model):
    """The part of a payment applied to one invoice."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("payment")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("invoice")
    )
    amount = money_field(_("amount"))
    created_at = models.DateTimeField(_("allocated"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount}"
