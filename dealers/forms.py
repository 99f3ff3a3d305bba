"""HTML forms of the dealers app: shape only; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer, DealerContact, Region
from dealers.selectors import owner_choices
from dms.forms import BootstrapFormMixin

REGION_CHOICES = Region.objects.exclude(level=Region.Level.COUNTRY).select_related("parent")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.parent and obj.level != Region.Level.PROVINCE:
            return f"{obj.parent.local_name} · {obj.local_name}"
        return obj.local_name


class DealerForm(BootstrapFormMixin, forms.ModelForm):
    region = RegionChoiceField(label=_("Home region"), queryset=REGION_CHOICES)
    served_regions = forms.ModelMultipleChoiceField(
        label=_("Served regions"),
        queryset=REGION_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=owner_choices(), required=False)

    class Meta:
        model = Dealer
        fields = [
            "name",
            "legal_name",
            "uscc",
            "code",
            "region",
            "served_regions",
            "address",
            "latitude",
            "longitude",
            "owner",
            "payment_terms_days",
            "lead_capacity",
            "joined_on",
        ]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"code": _("Leave empty to number the dealer automatically.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False

    def validate_unique(self):
        """Uniqueness is the service's rule (with its own message); the form checks shape only."""


class DealerCreateForm(DealerForm):
    tier = forms.ChoiceField(label=_("Tier"), choices=Dealer.Tier.choices, initial=Dealer.Tier.C)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s, label) for s, label in Dealer.Status.choices if s in ("prospect", "onboarding", "active")],
    )


class StatusChangeForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Dealer.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class TierChangeForm(BootstrapFormMixin, forms.Form):
    tier = forms.ChoiceField(label=_("New tier"), choices=Dealer.Tier.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DealerContact
        fields = ["name", "title", "phone", "email", "is_primary"]

    def _post_clean(self):
        """Phone format and primary-contact rules are checked by the service."""
