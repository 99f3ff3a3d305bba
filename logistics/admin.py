"""Admin for carriers, rate cards, vehicles and dealers' receiving windows, saved through the services like every
other door; shipments to read, and to dispatch in bulk through the service."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dms.errors import DomainError
from dms.records import ServiceSaveMixin
from logistics import selectors, services
from logistics.models import (
    Carrier,
    ClaimLine,
    DeliveryClaim,
    RateCard,
    ReceivingWindow,
    Shipment,
    ShipmentLine,
    TrackingEvent,
    Vehicle,
)


class FleetAdmin(ServiceSaveMixin, admin.ModelAdmin):
    """Adding and changing needs ``manage_fleet``; nothing is deleted (a record is deactivated), so
    shipments and plans keep what they refer to. Each admin saves through its service with the fields
    the service sets."""

    def has_view_permission(self, request, obj=None):
        return selectors.can_see_fleet(request.user)

    def has_add_permission(self, request, obj=None):
        return selectors.can_manage_fleet(request.user)

    def has_change_permission(self, request, obj=None):
        return selectors.can_manage_fleet(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class RateCardInline(admin.TabularInline):
    model = RateCard
    fields = ["origin", "destination", "per_kg", "per_m3", "minimum_charge", "lead_time_days", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("origin", "destination")


@admin.register(Carrier)
class CarrierAdmin(FleetAdmin):
    fields_for_service = tuple(sorted(services.CARRIER_FIELDS))
    list_display = ["code", "name", "phone", "volumetric_divisor", "fuel_surcharge_percent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [RateCardInline]

    def save_through_service(self, request, instance, data: dict):
        return services.carrier_save(actor=request.user, carrier=instance, fields=data)


@admin.register(RateCard)
class RateCardAdmin(FleetAdmin):
    fields_for_service = tuple(sorted(services.RATE_CARD_FIELDS))
    list_display = ["carrier", "origin", "destination", "per_kg", "per_m3", "minimum_charge", "lead_time_days"]
    list_filter = ["carrier", "origin", "is_active"]
    list_select_related = ["carrier", "origin", "destination"]
    autocomplete_fields = ["destination"]

    def save_through_service(self, request, instance, data: dict):
        return services.rate_card_save(actor=request.user, rate_card=instance, fields=data)


@admin.register(Vehicle)
class VehicleAdmin(FleetAdmin):
    fields_for_service = tuple(sorted(services.VEHICLE_FIELDS))
    list_display = [
        "plate",
        "kind",
        "warehouse",
        "capacity_kg",
        "capacity_m3",
        "cost_per_km",
        "fixed_cost",
        "is_active",
    ]
    list_filter = ["warehouse", "is_active"]
    list_select_related = ["warehouse"]
    search_fields = ["plate", "kind"]

    def save_through_service(self, request, instance, data: dict):
        return services.vehicle_save(actor=request.user, vehicle=instance, fields=data)


@admin.register(ReceivingWindow)
class ReceivingWindowAdmin(FleetAdmin):
    fields_for_service = tuple(sorted(services.RECEIVING_WINDOW_FIELDS))
    list_display = ["dealer", "opens", "closes"]
    list_select_related = ["dealer"]
    search_fields = ["dealer__code", "dealer__name"]
    autocomplete_fields = ["dealer"]

    def has_add_permission(self, request, obj=None):
        return selectors.can_see_fleet(request.user)

    def has_change_permission(self, request, obj=None):
        return selectors.can_see_fleet(request.user)

    def save_through_service(self, request, instance, data: dict):
        return services.receiving_window_save(actor=request.user, window=instance, fields=data)


class ShipmentLineInline(admin.TabularInline):
    model = ShipmentLine
    fields = ["product", "order_line", "quantity", "quantity_received"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "order_line__order", "order_line__product")


class TrackingInline(admin.TabularInline):
    model = TrackingEvent
    fields = ["status", "occurred_at", "location", "note", "external_id", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    """Shipments to read; planned ones may be dispatched from the list, through the service. The carrier's charge
    is read here beside the quote: it is recorded on the shipment's page, by importing the carrier's bill or through
    the API, so that each charge is checked and kept in the event log with its bill."""

    list_display = [
        "number",
        "order",
        "dealer",
        "warehouse",
        "mode",
        "carrier",
        "status",
        "requested_date",
        "dispatched_at",
        "freight_quote",
        "freight_charge",
    ]
    list_filter = ["status", "mode", "warehouse", "carrier"]
    list_select_related = ["order", "dealer", "warehouse", "carrier"]
    search_fields = ["number", "order__number", "tracking_number", "dealer__code"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Shipment._meta.fields]
    inlines = [ShipmentLineInline, TrackingInline]
    actions = ["dispatch_shipments"]

    def get_queryset(self, request):
        """The shipments of the dealers in the user's scope, as on every other door."""
        shipments = selectors.shipments_in_scope(user=request.user)
        ordering = self.get_ordering(request)
        return shipments.order_by(*ordering) if ordering else shipments

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Dispatch the selected planned shipments"))
    def dispatch_shipments(self, request, queryset):
        done = 0
        for shipment in queryset.order_by("pk"):
            try:
                services.shipment_dispatch(actor=request.user, shipment=shipment)
            except DomainError as exc:
                self.message_user(request, f"{shipment.number}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            message = ngettext("%(count)d shipment dispatched.", "%(count)d shipments dispatched.", done)
            self.message_user(request, message % {"count": done}, messages.SUCCESS)


class ClaimLineInline(admin.TabularInline):
    model = ClaimLine
    fields = ["product", "shipment_line", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "shipment_line__shipment")


@admin.register(DeliveryClaim)
class DeliveryClaimAdmin(admin.ModelAdmin):
    """Claims to read; they are opened and decided on the HQ pages, the portal and the API, through the service,
    so that every decision has its reason, its credit note or its replacement shipment."""

    list_display = ["number", "shipment", "dealer", "kind", "status", "value", "opened_at", "resolved_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["shipment", "dealer"]
    search_fields = ["number", "shipment__number", "order__number", "dealer__code"]
    date_hierarchy = "opened_at"
    readonly_fields = [f.name for f in DeliveryClaim._meta.fields]
    inlines = [ClaimLineInline]

    def get_queryset(self, request):
        """The claims of the dealers in the user's scope, as on every other door."""
        claims = selectors.claim_list(user=request.user)
        ordering = self.get_ordering(request)
        return claims.order_by(*ordering) if ordering else claims

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
