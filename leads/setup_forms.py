"""Forms of the lead setup pages (imports, assignment rules, lead sources): shape only; the rules live in
leads.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.forms import RegionChoiceField
from dealers.models import Region
from dms.forms import BootstrapFormMixin
from leads import importing
from leads.models import MAX_WEIGHT, AssignmentRule
from leads.services import MAX_PRIORITY
from orders.models import ProductLine

UNITS = [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 24 * 60}


class LeadImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            _("CSV (UTF-8 or GB18030) or .xlsx, up to %(megabytes)d MB and %(rows)d rows.") % importing.limits()
        )


class RuleForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    region = RegionChoiceField(
        label=_("Region"),
        queryset=Region.objects.exclude(level=Region.Level.COUNTRY).select_related("parent").order_by("path"),
        required=False,
        empty_label=_("Everywhere"),
        help_text=_("The rule applies to leads in this region and everything inside it."),
    )
    product_line = forms.ModelChoiceField(
        label=_("Product line"),
        queryset=ProductLine.objects.order_by("position", "code"),
        required=False,
        empty_label=_("Every product line"),
    )
    strategy = forms.ChoiceField(
        label=_("Strategy"),
        choices=AssignmentRule.Strategy.choices,
        help_text=_(
            "Weighted ranks the candidates by the weights below; round robin takes the dealer that waited "
            "longest; manual leaves the leads to head office."
        ),
    )
    accept_within = forms.IntegerField(label=_("Time to accept"), min_value=1, max_value=30 * 24 * 60)
    accept_unit = forms.ChoiceField(label=_("Unit"), choices=UNITS)
    weight_tier = forms.IntegerField(label=_("Tier"), min_value=0, max_value=MAX_WEIGHT)
    weight_distance = forms.IntegerField(label=_("Distance"), min_value=0, max_value=MAX_WEIGHT)
    weight_load = forms.IntegerField(label=_("Free capacity"), min_value=0, max_value=MAX_WEIGHT)
    weight_fairness = forms.IntegerField(label=_("Time since last lead"), min_value=0, max_value=MAX_WEIGHT)
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=MAX_PRIORITY,
        help_text=_("Among equally specific rules, the lower number wins."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    WEIGHTS = ("weight_tier", "weight_distance", "weight_load", "weight_fairness")

    @classmethod
    def initial_for(cls, rule: AssignmentRule) -> dict:
        minutes = rule.accept_minutes
        unit = next(unit for unit in ("days", "hours", "minutes") if minutes % UNIT_MINUTES[unit] == 0)
        return {
            "name": rule.name,
            "region": rule.region_id,
            "product_line": rule.product_line_id,
            "strategy": rule.strategy,
            "accept_within": minutes // UNIT_MINUTES[unit],
            "accept_unit": unit,
            **{field: getattr(rule, field) for field in (*cls.WEIGHTS, "priority", "is_active")},
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["accept_minutes"] = data.pop("accept_within") * UNIT_MINUTES[data.pop("accept_unit")]
        return data


class SourceForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("The website, as people know it."))
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens, such as brand-shop; shown in reports."),
    )
