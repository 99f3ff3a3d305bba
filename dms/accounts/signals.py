"""Signal receivers: sign-in lockouts become logged, recorded events; a change of a user's regions drops
the scope that instance remembered."""

from axes.signals import user_locked_out
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from dms.accounts.models import User
from dms.accounts.services import user_locked_out as record_lockout


@receiver(user_locked_out, dispatch_uid="dms.accounts.lockout")
def on_user_locked_out(sender, request, username, ip_address, **kwargs):
    record_lockout(username=username or "", ip_address=ip_address)


@receiver(m2m_changed, sender=User.regions.through, dispatch_uid="dms.accounts.forget_region_paths")
def forget_region_paths(sender, instance, **kwargs):
    if isinstance(instance, User):
        instance.forget_region_paths()
