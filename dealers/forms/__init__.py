"""Form fields shared by the dealers app's forms and other apps' forms: choosing a region or a dealer."""

from django import forms

from dealers.models import Region
from dealers.selectors import dealers_in_scope
from dms.params import parse_id
from dms.widgets import TypeaheadSelect, TypeaheadSelectMultiple

REGION_CHOICES = Region.objects.exclude(level=Region.Level.COUNTRY).select_related("parent")
BELOW_COUNTRY = (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.DISTRICT)
ABOVE_DISTRICT = (Region.Level.COUNTRY, Region.Level.PROVINCE, Region.Level.CITY)


def region_picker(levels=BELOW_COUNTRY, *, multiple: bool = False):
    """A type-ahead offering the regions of ``levels``: the ones the field's queryset accepts."""
    widget = TypeaheadSelectMultiple if multiple else TypeaheadSelect
    return widget("dealers:picker_regions", params={"levels": ",".join(levels)})


def dealer_picker(*, statuses=()):
    """A type-ahead offering the dealers the user may see, of ``statuses`` when given."""
    return TypeaheadSelect("dealers:picker_dealers", params={"status": ",".join(statuses)} if statuses else None)


def chosen_dealer_picker(*, user, chosen: str, empty) -> TypeaheadSelect:
    """A list filter's dealer type-ahead: the page names only the chosen dealer, and only if the user may
    see it; ``empty`` labels the choice of every dealer."""
    dealer_id = parse_id(chosen)
    dealers = dealers_in_scope(user=user).filter(pk=dealer_id) if dealer_id else []
    widget = dealer_picker()
    widget.attrs = {"class": "form-select form-select-sm"}
    widget.choices = [("", empty), *((dealer.pk, f"{dealer.code} {dealer.name}") for dealer in dealers)]
    return widget


def owner_picker():
    """A type-ahead offering the head-office users who may own a dealer."""
    return TypeaheadSelect("dealers:picker_owners")


class RegionChoiceField(forms.ModelChoiceField):
    """A region shown with its province, in the reader's language."""

    def label_from_instance(self, obj):
        return obj.choice_label


class RegionMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several regions, each shown with its province, in the reader's language."""

    def label_from_instance(self, obj):
        return obj.choice_label


class DealerChoiceField(forms.ModelChoiceField):
    """A dealer shown by its code and name, chosen by typing either."""

    widget = dealer_picker()

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"
