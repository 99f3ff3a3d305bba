"""Head-office groups an app ships with, created after every migrate (idempotent), so a new installation
has them."""

from functools import partial


def ensure_groups(app_label: str, groups: dict[str, list[str]]):
    """A ``post_migrate`` receiver giving each group in ``groups`` the named permissions of ``app_label``."""
    return partial(_ensure, app_label, groups)


def _ensure(app_label: str, groups: dict[str, list[str]], sender=None, **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for name, codenames in groups.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
