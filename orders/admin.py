"""Admin for the catalogue (edited through the services) and read-only views of stock, orders and money.

Orders, stock, invoices, payments and credit limits change only through the HQ pages and the API,
where every change needs its permission and, where the rules ask, a reason.
"""

from django.contrib import admin, messages

from dms.errors import DomainError
from dms.records import ServiceSaveMixin
from orders import services
from orders.models import (
    CreditAccount,
    DealerAuthorization,
    Invoice,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    PriceList,
    PriceListItem,
    Product,
    ProductLine,
    Reservation,
    StockLevel,
    StockMovement,
    Warehouse,
)


class CatalogueAdmin(admin.ModelAdmin):
    """Adding and changing the catalogue needs ``manage_catalogue``, as on every other door; nothing is
    deleted here (products and lines are deactivated, price lists and authorisations end on a date),
    so orders and history keep what they refer to."""

    def has_add_permission(self, request, obj=None):
        return services.can(request.user, "manage_catalogue")

    def has_change_permission(self, request, obj=None):
        return services.can(request.user, "manage_catalogue")

    def has_delete_permission(self, request, obj=None):
        return False


class CatalogueSaveMixin(ServiceSaveMixin):
    """Product lines, products and warehouses go through ``catalogue_save``, with the fields it sets on the model."""

    @property
    def fields_for_service(self) -> tuple:
        return tuple(services.CATALOGUE_FIELDS[self.model])

    def save_through_service(self, request, instance, data: dict):
        return services.catalogue_save(actor=request.user, model=self.model, instance=instance, fields=data)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProductLine)
class ProductLineAdmin(CatalogueSaveMixin, CatalogueAdmin):
    list_display = ["code", "name", "name_en", "position", "is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Product)
class ProductAdmin(CatalogueSaveMixin, CatalogueAdmin):
    list_display = ["sku", "name", "product_line", "unit", "pack_size", "base_price", "vat_rate", "is_active"]
    list_filter = ["product_line", "is_active", "unit"]
    search_fields = ["sku", "name", "name_en"]
    list_select_related = ["product_line"]


@admin.register(Warehouse)
class WarehouseAdmin(CatalogueSaveMixin, CatalogueAdmin):
    list_display = ["code", "name", "region", "priority", "is_active"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 1
    autocomplete_fields = ["product"]


@admin.register(PriceList)
class PriceListAdmin(ServiceSaveMixin, CatalogueAdmin):
    list_display = ["name", "kind", "tier", "dealer", "valid_from", "valid_until"]
    list_filter = ["kind", "tier"]
    search_fields = ["name", "dealer__name", "dealer__code"]
    autocomplete_fields = ["dealer"]
    inlines = [PriceListItemInline]
    service = services.price_list_save
    fields_for_service = tuple(services.PRICE_LIST_FIELDS)
    instance_arg = "price_list"

    def save_related(self, request, form, formsets, change):
        """The prices are saved by the service as one set, replacing the list's previous prices."""
        if form.instance.pk is None:
            return
        items = {}
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for item_form in formset.forms:
                data = getattr(item_form, "cleaned_data", None) or {}
                if data.get("product") and data.get("price") is not None and not data.get("DELETE"):
                    items[data["product"]] = data["price"]
        try:
            services.price_list_save(
                actor=request.user, price_list=PriceList.objects.get(pk=form.instance.pk), items=items
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)


@admin.register(DealerAuthorization)
class DealerAuthorizationAdmin(CatalogueAdmin):
    list_display = ["dealer", "product_line", "valid_from", "valid_until"]
    list_filter = ["product_line"]
    search_fields = ["dealer__name", "dealer__code"]
    autocomplete_fields = ["dealer", "regions"]
    list_select_related = ["dealer", "product_line"]

    def save_model(self, request, obj, form, change):
        fields = ("dealer", "product_line", "valid_from", "valid_until")
        data = {f: form.cleaned_data[f] for f in fields if not change or f in form.changed_data}
        try:
            saved = services.authorization_save(
                actor=request.user,
                authorization=obj if change else None,
                regions=list(form.cleaned_data.get("regions") or []),
                **data,
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Regions were set by the service."""


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["warehouse", "product", "on_hand", "reserved", "updated_at"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["warehouse", "product"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "warehouse", "product", "kind", "on_hand_delta", "reserved_delta", "order", "actor"]
    list_filter = ["kind", "warehouse"]
    search_fields = ["product__sku", "order__number", "reason"]
    list_select_related = ["warehouse", "product", "order", "actor"]


@admin.register(CreditAccount)
class CreditAccountAdmin(ReadOnlyAdmin):
    list_display = ["dealer", "credit_limit", "default_warehouse", "updated_at"]
    search_fields = ["dealer__name", "dealer__code"]
    list_select_related = ["dealer", "default_warehouse"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["product", "quantity", "unit_price", "vat_rate", "net_amount", "vat_amount", "gross_amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "dealer", "status", "gross_amount", "submitted_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "dealer__name", "dealer__code"]
    list_select_related = ["dealer"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["line", "warehouse", "quantity"]
    list_select_related = ["line__order", "line__product", "warehouse"]


class AllocationInline(admin.TabularInline):
    model = PaymentAllocation
    extra = 0
    readonly_fields = ["payment", "invoice", "amount", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "dealer", "gross_amount", "paid_amount", "status", "issued_on", "due_on"]
    list_filter = ["status"]
    search_fields = ["number", "order__number", "dealer__name"]
    list_select_related = ["dealer"]
    date_hierarchy = "issued_on"
    inlines = [AllocationInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "dealer", "amount", "unallocated_amount", "method", "received_on"]
    list_filter = ["method"]
    search_fields = ["reference", "dealer__name", "dealer__code"]
    list_select_related = ["dealer"]
    date_hierarchy = "received_on"
    inlines = [AllocationInline]
