"""Every change to users, their access and their API tokens."""

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from dms import events
from dms.accounts import verbs
from dms.accounts.models import DEALER_ROLES, ApiToken, Role, User, hash_token_key
from dms.compiled import CompiledQuery
from dms.errors import PermissionDeniedError, RuleViolation
from dms.scoping import signed_in

security_log = logging.getLogger("dms.security")

USER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "role",
    "dealer_id",
    "language",
    "sees_all_without_regions",
)


class UsernameTaken(RuleViolation):
    code = "username_taken"
    message = _("This username is already taken.")


class DealerRequired(RuleViolation):
    code = "dealer_required"
    message = _("Dealer users must belong to a dealer.")


class DealerNotAllowed(RuleViolation):
    code = "dealer_not_allowed"
    message = _("Head-office users cannot belong to a dealer.")


class WeakPassword(RuleViolation):
    code = "weak_password"
    message = _("The password is not strong enough.")


class CannotDeactivateSelf(RuleViolation):
    code = "cannot_deactivate_self"
    message = _("You cannot deactivate your own account.")


class TokenRevoked(RuleViolation):
    code = "token_revoked"
    message = _("This API token is already revoked.")


def _require_hq_admin(actor: User) -> None:
    if not (actor and actor.is_authenticated and actor.is_hq_admin):
        raise PermissionDeniedError()


def _require_may_manage(actor: User, user) -> None:
    """Only a superuser may change a superuser or an admin-site account: otherwise an HQ admin could
    take one over (change its email, then reset its password)."""
    if (user.is_superuser or user.is_staff) and not actor.is_superuser:
        raise PermissionDeniedError(_("Only a superuser may change this account."))


class UnknownDealer(RuleViolation):
    code = "unknown_dealer"
    message = _("There is no such dealer.")


class RegionsNotAllowed(RuleViolation):
    code = "regions_not_allowed"
    message = _("Only head-office users are assigned regions.")


def _check_membership(*, role: str, dealer_id) -> None:
    if role in DEALER_ROLES and dealer_id is None:
        raise DealerRequired(field="dealer")
    if role not in DEALER_ROLES and dealer_id is not None:
        raise DealerNotAllowed(field="dealer")
    if dealer_id is not None and not apps.get_model("dealers", "Dealer").objects.filter(pk=dealer_id).exists():
        raise UnknownDealer(field="dealer")


def _set_regions(user: User, regions) -> list[str]:
    """Assign the regions a head-office user covers; returns their codes for the audit log."""
    regions = list(regions)
    if regions and user.role in DEALER_ROLES:
        raise RegionsNotAllowed(field="regions")
    user.regions.set(regions)
    return sorted(r.code for r in regions)


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise WeakPassword(" ".join(exc.messages), field="password") from exc


def user_create(
    *,
    actor: User,
    username: str,
    role: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    dealer_id: int | None = None,
    language: str = "",
    regions=(),
    sees_all_without_regions: bool | None = None,
) -> User:
    """Create a user with a role; without a password they receive an invitation to set one.

    HQ staff see every dealer until regions are assigned to them, unless told otherwise.
    """
    _require_hq_admin(actor)
    if role not in Role.values:
        raise RuleViolation(_("Unknown role."), code="invalid_role", field="role")
    _check_membership(role=role, dealer_id=dealer_id)
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(field="username")
    user = User(
        username=username,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        dealer_id=dealer_id,
        language=language,
        sees_all_without_regions=(role == "hq_staff") if sees_all_without_regions is None else sees_all_without_regions,
    )
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            data = {"role": role}
            if regions:
                data["regions"] = _set_regions(user, regions)
            events.record(actor=actor, verb=verbs.USER_CREATED.code, target=user, data=data, dealer_id=None)
            if not password and email:
                from dms.accounts.tasks import user_invitation_send_task

                transaction.on_commit(lambda: user_invitation_send_task.delay(user.pk))
    except IntegrityError as exc:
        # Two requests for the same name at once: the unique index decides, the loser is told why.
        raise UsernameTaken(field="username") from exc
    return user


def user_update(*, actor: User, user: User, regions=None, **changes) -> User:
    """Change a user's profile, role, dealer or regions; the role/dealer rule is checked again."""
    _require_hq_admin(actor)
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise RuleViolation(code="unknown_field", data={"fields": sorted(unknown)})
    _require_may_manage(actor, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {f: getattr(locked, f) for f in changes}
        for field, value in changes.items():
            setattr(locked, field, value)
        _check_membership(role=locked.role, dealer_id=locked.dealer_id)
        changed = {f: [before[f], getattr(locked, f)] for f in changes if before[f] != getattr(locked, f)}
        if changed:
            locked.save(update_fields=list(changed))
        if regions is not None:
            old = sorted(locked.regions.values_list("code", flat=True))
            new = _set_regions(locked, regions)
            if old != new:
                changed["regions"] = [", ".join(old), ", ".join(new)]
                user.forget_region_paths()
        elif "role" in changed and locked.role in DEALER_ROLES:
            _set_regions(locked, [])
        if changed:
            events.record(
                actor=actor, verb=verbs.USER_UPDATED.code, target=locked, data={"changes": changed}, dealer_id=None
            )
    return locked


def user_set_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (sign-in, sessions and tokens stop working at once) or reactivate a user."""
    _require_hq_admin(actor)
    if not active and user.pk == actor.pk:
        raise CannotDeactivateSelf()
    _require_may_manage(actor, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        verb = verbs.USER_REACTIVATED if active else verbs.USER_DEACTIVATED
        events.record(actor=actor, verb=verb.code, target=locked, data={"reason": reason}, dealer_id=None)
    return locked


def user_language_set(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise RuleViolation(_("Unknown language."), code="invalid_language", field="language")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def user_password_changed(*, user: User, actor: User | None = None) -> None:
    """Record a password change or reset and tell the owner, in case it was not them."""
    with transaction.atomic():
        events.record(actor=actor or user, verb=verbs.PASSWORD_CHANGED.code, target=user, notify=[user], dealer_id=None)


def user_invitation_url(*, user: User) -> str:
    """A one-time link with which a new user sets their password (Django's reset token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.DMS_SITE_URL.rstrip('/')}{path}"


def user_send_invitation(*, user: User) -> None:
    if not user.email:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "url": user_invitation_url(user=user), "site_url": settings.DMS_SITE_URL}
        subject = render_to_string("registration/invitation_subject.txt", context).strip()
        body = render_to_string("registration/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])


def user_locked_out(*, username: str, ip_address: str | None) -> None:
    """Log a sign-in lockout and, when the username exists, record it and tell the owner.

    The lock fires again on every attempt made while locked; only the first in each cool-off
    period is recorded and notified.
    """
    security_log.warning("Sign-in locked for username=%r from ip=%s", username, ip_address)
    once_key = f"dms:lockout:{username}:{ip_address}"
    if not cache.add(once_key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds())):
        return
    user = User.objects.filter(username=username).first()
    if user is None:
        return
    with transaction.atomic():
        events.record(
            actor=None,
            verb=verbs.LOCKED_OUT.code,
            target=user,
            data={"ip_address": ip_address or ""},
            notify=[user],
            dealer_id=None,
        )


def token_create(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Issue an API token for the user. The raw key is returned once and never stored."""
    if not user.is_active:
        raise PermissionDeniedError()
    name = (name or "").strip()
    if not name:
        raise RuleViolation(_("Give the token a name."), code="name_required", field="name")
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= 366:
        raise RuleViolation(_("A token lives between 1 and 366 days."), code="invalid_expiry", field="expires_in_days")
    key = ApiToken.generate_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=key[: ApiToken.PREFIX_LENGTH],
            key_hash=hash_token_key(key),
            expires_at=timezone.now() + timedelta(days=days),
        )
        events.record(actor=user, verb=verbs.TOKEN_CREATED.code, target=token, notify=[user], dealer_id=None)
    return token, key


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_hq_admin:
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise TokenRevoked()
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        events.record(
            actor=actor, verb=verbs.TOKEN_REVOKED.code, target=locked, notify=[locked.user_id], dealer_id=None
        )
    return locked


def _token(*, key_hash: str):
    return ApiToken.objects.select_related("user__dealer__region").filter(key_hash=key_hash)


# Every API request with a token runs it.
_TOKEN = CompiledQuery(_token)


def token_authenticate(*, key: str) -> ApiToken | None:
    """The usable token for a raw key, its last-used time refreshed at most once a minute. Its user comes in the
    same query with the user's dealer and the dealer's home region, the scope a dealer user's request works in."""
    found = _TOKEN(key_hash=hash_token_key(key))
    if not found:
        return None
    token = found[0]
    if not (token.is_usable and token.user.is_active):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def dealer_user_invite(
    *,
    actor: User,
    dealer_id: int,
    role: str,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> tuple[User, str]:
    """Create a dealer user without a password and invite them to set one; returns the user and the
    invitation link (also emailed) so it can be passed on by other means.

    Head office may invite for any dealer in its scope (an approved application creates the dealer's
    administrator this way); a dealer administrator only staff of their own dealer.
    """
    from dms.scoping import dealer_q

    if role not in DEALER_ROLES:
        raise RuleViolation(_("Unknown role."), code="invalid_role", field="role")
    if not signed_in(actor):
        raise PermissionDeniedError()
    if actor.is_dealer_user:
        if actor.effective_role != Role.DEALER_ADMIN or actor.dealer_id != dealer_id or role != Role.DEALER_STAFF:
            raise PermissionDeniedError()
    elif not apps.get_model("dealers", "Dealer").objects.filter(dealer_q(actor, field="pk"), pk=dealer_id).exists():
        raise UnknownDealer(field="dealer")
    if not email:
        raise RuleViolation(_("An invitation needs an email address."), code="email_required", field="email")
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(field="username")
    user = User(
        username=username,
        role=role,
        dealer_id=dealer_id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            events.record(actor=actor, verb=verbs.USER_CREATED.code, target=user, data={"role": role}, dealer_id=None)
            from dms.accounts.tasks import user_invitation_send_task

            transaction.on_commit(lambda: user_invitation_send_task.delay(user.pk))
    except IntegrityError as exc:
        raise UsernameTaken(field="username") from exc
    return user, user_invitation_url(user=user)


def dealer_staff_set_active(*, actor: User, user: User, active: bool) -> User:
    """A dealer administrator deactivates or reactivates their own staff."""
    if not (actor.effective_role == Role.DEALER_ADMIN and user.dealer_id == actor.dealer_id):
        raise PermissionDeniedError()
    if user.role != Role.DEALER_STAFF:
        raise PermissionDeniedError(_("Only staff accounts can be changed here."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        verb = verbs.USER_REACTIVATED if active else verbs.USER_DEACTIVATED
        events.record(actor=actor, verb=verb.code, target=locked, dealer_id=None)
    return locked
