"""Users, their roles and API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HQ_ADMIN = "hq_admin", _("HQ administrator")
    HQ_STAFF = "hq_staff", _("HQ staff")
    SALES_REP = "sales_rep", _("Sales rep")
    DEALER_ADMIN = "dealer_admin", _("Dealer administrator")
    DEALER_STAFF = "dealer_staff", _("Dealer staff")


HQ_ROLES = frozenset({Role.HQ_ADMIN, Role.HQ_STAFF, Role.SALES_REP})
DEALER_ROLES = frozenset({Role.DEALER_ADMIN, Role.DEALER_STAFF})


class User(AbstractUser):
    """A person who signs in: head-office staff, a field sales rep, or a member of one dealer."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.HQ_STAFF)
    # The dealer organisation a dealer user belongs to (None for head-office users).
    dealer = models.ForeignKey(
        "dealers.Dealer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("dealer"),
    )
    sees_all_without_regions = models.BooleanField(
        _("sees every dealer while no region is assigned"),
        default=False,
        help_text=_("For head-office staff: with no regions assigned, see all dealers instead of none."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.CheckConstraint(
                name="user_dealer_iff_dealer_role",
                condition=(Q(role__in=sorted(DEALER_ROLES)) & Q(dealer__isnull=False))
                | (Q(role__in=sorted(HQ_ROLES)) & Q(dealer__isnull=True)),
                violation_error_message=_("Dealer users belong to exactly one dealer; head-office users to none."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Chinese names read family name first with no space (王立); others "given family"."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def effective_role(self) -> str:
        """The role access checks use: a superuser acts as an HQ administrator."""
        return Role.HQ_ADMIN if self.is_superuser else self.role

    @property
    def is_hq(self) -> bool:
        return self.effective_role in HQ_ROLES

    @property
    def is_hq_admin(self) -> bool:
        return self.effective_role == Role.HQ_ADMIN

    @property
    def is_dealer_user(self) -> bool:
        return self.effective_role in DEALER_ROLES

    @property
    def display_name(self) -> str:
        return str(self)

    _region_paths: tuple[str, ...] | None = None

    def region_paths(self) -> tuple[str, ...]:
        """The paths of the regions assigned to the user, read once per instance: a request's user
        asks for its scope in every list and card, and a change through ``regions`` forgets it
        (see ``signals.forget_region_paths`` and ``services.user_update``)."""
        if self._region_paths is None:
            self._region_paths = tuple(self.regions.values_list("path", flat=True))
        return self._region_paths

    def forget_region_paths(self) -> None:
        self._region_paths = None


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key another system sends as ``Authorization: Token <key>``; only its sha256 is stored."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired
