"""Signal receivers that turn sign-in lockouts into logged, recorded events."""

from axes.signals import user_locked_out
from django.dispatch import receiver

from dms.accounts.services import user_locked_out as record_lockout


@receiver(user_locked_out, dispatch_uid="dms.accounts.lockout")
def on_user_locked_out(sender, request, username, ip_address, **kwargs):
    record_lockout(username=username or "", ip_address=ip_address)
