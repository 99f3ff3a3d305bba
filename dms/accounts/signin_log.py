"""django-axes, which records sign-ins and locks out repeated failures, under a name people read: its
admin section is the sign-in log. Its models and fields are translated by locale/vendor."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class SignInLogConfig(AxesConfig):
    verbose_name = _("Sign-in log")
