"""Event kinds of the accounts app."""

from django.utils.translation import gettext_lazy as _

from dms.events.verbs import register

USER_CREATED = register(
    "accounts.user_created", label=_("User created"), sentence=_("%(actor)s created the user %(target)s")
)
USER_UPDATED = register(
    "accounts.user_updated", label=_("User changed"), sentence=_("%(actor)s changed the user %(target)s")
)
USER_DEACTIVATED = register(
    "accounts.user_deactivated",
    label=_("User deactivated"),
    sentence=_("%(actor)s deactivated the user %(target)s"),
)
USER_REACTIVATED = register(
    "accounts.user_reactivated",
    label=_("User reactivated"),
    sentence=_("%(actor)s reactivated the user %(target)s"),
)
PASSWORD_CHANGED = register(
    "accounts.password_changed",
    label=_("Password changed"),
    sentence=_("The password of %(target)s was changed"),
    notifies=True,
)
TOKEN_CREATED = register(
    "accounts.token_created",
    label=_("API token created"),
    sentence=_("%(actor)s created the API token %(target)s"),
    notifies=True,
)
TOKEN_REVOKED = register(
    "accounts.token_revoked",
    label=_("API token revoked"),
    sentence=_("%(actor)s revoked the API token %(target)s"),
    notifies=True,
)
LOCKED_OUT = register(
    "accounts.locked_out",
    label=_("Sign-in locked"),
    sentence=_("Sign-in for %(target)s was locked after repeated failed attempts from %(ip_address)s"),
    notifies=True,
)
