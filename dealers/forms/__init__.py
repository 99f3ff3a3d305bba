"""Form fields shared by the dealers app's forms and other apps' forms: choosing a region."""

from django import forms

from dealers.models import Region

REGION_CHOICES = Region.objects.exclude(level=Region.Level.COUNTRY).select_related("parent")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.parent and obj.level != Region.Level.PROVINCE:
            return f"{obj.parent.local_name} · {obj.local_name}"
        return obj.local_name
