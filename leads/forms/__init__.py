"""Form fields the leads app's forms and filters share."""

from django import forms


class DealerChoiceField(forms.ModelChoiceField):
    """A dealer shown by its code and name."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"
