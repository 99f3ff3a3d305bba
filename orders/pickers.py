"""Type-ahead picker of the orders app (``dms.pickers``): products by SKU or name, named in the reader's
language."""

from django.db.models import Q

from dms.pickers import PickerView
from orders import selectors


class ProductPicker(PickerView):
    """Products by the start of their SKU or part of their name, Chinese or English."""

    def queryset(self, user):
        return selectors.product_list(user=user)

    def search(self, queryset, query):
        return queryset.filter(
            Q(sku__startswith=query.upper)
            | Q(sku__startswith=query.text)
            | Q(name__icontains=query.text)
            | Q(name_en__icontains=query.text)
        )

    def label(self, obj):
        return f"{obj.sku} {obj.local_name}"
