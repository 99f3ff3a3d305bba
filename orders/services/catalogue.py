"""Product lines, products, warehouses, price lists and dealer authorisations, validated by the models'
own rules and saved as one event each."""

from typing import TypeVar

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dms.accounts.models import User
from dms.errors import PermissionDeniedError, RuleViolation
from dms.money import as_money
from dms.records import assign_fields, validated_save
from dms.scoping import visible_dealers
from orders import verbs
from orders.models import DealerAuthorization, PriceList, PriceListItem, Product, ProductLine, Warehouse
from orders.services.common import require, require_dealer_access

PRODUCT_LINE_FIELDS = {"code", "name", "name_en", "position", "is_active"}
PRODUCT_FIELDS = {
    "sku",
    "name",
    "name_en",
    "product_line",
    "unit",
    "pack_size",
    "base_price",
    "vat_rate",
    "weight_kg",
    "volume_m3",
    "is_active",
    "image",
}
WAREHOUSE_FIELDS = {"code", "name", "name_en", "region", "address", "latitude", "longitude", "priority", "is_active"}
PRICE_LIST_FIELDS = {"name", "kind", "tier", "dealer", "valid_from", "valid_until"}
# The fields ``catalogue_save`` sets, by kind of record.
CATALOGUE_FIELDS = {ProductLine: PRODUCT_LINE_FIELDS, Product: PRODUCT_FIELDS, Warehouse: WAREHOUSE_FIELDS}
CatalogueRecord = TypeVar("CatalogueRecord", ProductLine, Product, Warehouse)


def catalogue_save(
    *, actor: User, model: type[CatalogueRecord], instance: CatalogueRecord | None = None, fields: dict
) -> CatalogueRecord:
    """Create a product line, product or warehouse (no ``instance``) or change ``instance``, setting ``fields``."""
    require(actor, "manage_catalogue")
    with transaction.atomic():
        record = assign_fields(instance or model(), fields, CATALOGUE_FIELDS[model])
        validated_save(record, actor=actor, verb=verbs.CATALOGUE_CHANGED.code, created=instance is None)
    return record


def price_list_save(*, actor: User, price_list=None, items=None, **fields):
    """Create or change a tier or dealer price list; ``items`` ({product: price}) replaces its prices."""
    require(actor, "manage_catalogue")
    instance = assign_fields(price_list or PriceList(), fields, PRICE_LIST_FIELDS)
    if instance.kind == PriceList.Kind.DEALER:
        instance.tier = ""
        if instance.dealer_id is None:
            raise RuleViolation(_("A dealer price list needs a dealer."), code="dealer_required", field="dealer")
        require_dealer_access(actor, instance.dealer_id)
    elif instance.kind == PriceList.Kind.TIER:
        instance.dealer = None
        if instance.tier not in Dealer.Tier.values:
            raise RuleViolation(_("Choose a tier."), code="tier_required", field="tier")
        if actor is not None and visible_dealers(actor) is not None:
            # A tier's prices apply to its dealers everywhere: only someone who sees every dealer sets them.
            raise PermissionDeniedError(
                _("Tier price lists apply nationwide: only users who see every dealer may change them.")
            )
    with transaction.atomic():
        validated_save(
            instance,
            actor=actor,
            verb=verbs.CATALOGUE_CHANGED.code,
            created=price_list is None,
            dealer_id=instance.dealer_id,
        )
        if items is not None:
            if any(as_money(price) < 0 for price in items.values()):
                raise RuleViolation(_("A price cannot be negative."), code="invalid_amount", field="items")
            instance.items.all().delete()
            PriceListItem.objects.bulk_create(
                [PriceListItem(price_list=instance, product=p, price=as_money(price)) for p, price in items.items()]
            )
    return instance


def authorization_save(*, actor: User, authorization=None, regions=None, **fields):
    """Authorise a dealer for a product line (optionally only in some regions and between dates)."""
    require(actor, "manage_catalogue")
    instance = assign_fields(
        authorization or DealerAuthorization(), fields, {"dealer", "product_line", "valid_from", "valid_until"}
    )
    if instance.dealer_id is None:
        raise RuleViolation(_("Choose a dealer."), code="dealer_required", field="dealer")
    require_dealer_access(actor, instance.dealer_id)
    with transaction.atomic():
        validated_save(
            instance,
            actor=actor,
            verb=verbs.AUTHORIZATION_CHANGED.code,
            created=authorization is None,
            dealer_id=instance.dealer_id,
        )
        if regions is not None:
            instance.regions.set(regions)
    return instance
