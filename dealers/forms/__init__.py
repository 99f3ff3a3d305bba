"""Form fields shared by the dealers app's forms and other apps' forms: choosing a region or a dealer."""

from django import forms

from dealers.models import Region

REGION_CHOICES = Region.objects.exclude(level=Region.Level.COUNTRY).select_related("parent")


class RegionChoiceField(forms.ModelChoiceField):
    """A region shown with its province, in the reader's language."""

    def label_from_instance(self, obj):
        if obj.parent and obj.level != Region.Level.PROVINCE:
            return f"{obj.parent.local_name} · {obj.local_name}"
        return obj.local_name


class DealerChoiceField(forms.ModelChoiceField):
    """A dealer shown by its code and name."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"
