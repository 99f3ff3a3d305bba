"""HTML forms of the accounts app: shape only; the rules live in services."""

from django import forms
from django.apps import apps
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from dms.accounts.models import Role
from dms.events import verbs
from dms.forms import BootstrapFormMixin
from dms.widgets import TypeaheadSelect, TypeaheadSelectMultiple


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class RegionsField(forms.ModelMultipleChoiceField):
    """Regions named in the reader's language, with their province."""

    def label_from_instance(self, obj):
        return obj.choice_label


class UserForm(BootstrapFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    dealer = forms.IntegerField(
        label=_("Dealer"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("Required for dealer roles."),
        widget=TypeaheadSelect("dealers:picker_dealers"),
    )
    regions = RegionsField(
        label=_("Regions"),
        required=False,
        queryset=apps.get_model("dealers", "Region").objects.exclude(level="district").select_related("parent"),
        widget=TypeaheadSelectMultiple("dealers:picker_regions", params={"levels": "country,province,city"}),
        help_text=_("Head-office staff and reps see the dealers in these regions and everything inside them."),
    )
    sees_all_without_regions = forms.BooleanField(
        label=_("Sees every dealer while no region is assigned"), required=False
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to email the user a link to set their own password."),
    )


class UserEditForm(UserForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["username"]
        del self.fields["password"]


class UserDeactivateForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class TokenCreateForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Which system will use it, e.g. ERP."))
    expires_in_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)


class NotificationPreferencesForm(forms.Form):
    email_verbs = forms.MultipleChoiceField(
        label=_("Also send me an email for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(v.code, v.label) for v in verbs.notifying_verbs()],
    )
