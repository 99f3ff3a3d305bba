"""The routing setup, which needs ``manage_lead_routing``: lead sources (websites posting with their own
key) and assignment rules."""

import hashlib
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from dealers.models import Region
from dms import events
from dms.accounts.models import User
from dms.errors import PermissionDeniedError, RuleViolation
from leads import verbs
from leads.models import MAX_ACCEPT_MINUTES, MAX_WEIGHT, MIN_ACCEPT_MINUTES, AssignmentRule, LeadSource
from leads.selectors import can_manage_routing

SOURCE_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


def _require_routing(actor: User) -> None:
    if not can_manage_routing(actor):
        raise PermissionDeniedError()


def lead_source_create(*, actor: User, name: str, code: str) -> tuple[LeadSource, str]:
    """Register a website that may post leads; returns the source and its key, shown only once."""
    _require_routing(actor)
    name, code = (name or "").strip(), (code or "").strip().lower()
    if not name or len(name) > 100:
        raise RuleViolation(_("Give a name of at most 100 characters."), code="name_required", field="name")
    if not SOURCE_CODE.fullmatch(code) or len(code) > 40:
        raise RuleViolation(
            _("The code is 1 to 40 letters, digits, hyphens or underscores."), code="source_code_invalid", field="code"
        )
    key = secrets.token_urlsafe(32)
    taken = RuleViolation(_("Another lead source has this code."), code="source_code_taken", field="code")
    with transaction.atomic():
        if LeadSource.objects.filter(code=code).exists():
            raise taken
        try:
            with transaction.atomic():
                source = LeadSource.objects.create(name=name, code=code, key_hash=hash_key(key))
        except IntegrityError as exc:  # the same code saved at the same moment
            raise taken from exc
        events.record(actor=actor, verb=verbs.LEAD_SOURCE_CREATED.code, target=source, dealer_id=None)
    return source, key


def lead_source_rotate(*, actor: User, source: LeadSource) -> tuple[LeadSource, str]:
    """A new key for the source; the old one stops working at once. Returns the source and the key,
    shown only once."""
    _require_routing(actor)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = LeadSource.objects.select_for_update().get(pk=source.pk)
        if not locked.is_active:
            raise RuleViolation(_("This lead source is deactivated."), code="source_inactive")
        locked.key_hash = hash_key(key)
        locked.save(update_fields=["key_hash"])
        events.record(actor=actor, verb=verbs.SOURCE_KEY_ROTATED.code, target=locked, dealer_id=None)
    return locked, key


def lead_source_deactivate(*, actor: User, source: LeadSource) -> LeadSource:
    """The source's key stops working for good; its leads stay. Already inactive: nothing changes."""
    _require_routing(actor)
    with transaction.atomic():
        locked = LeadSource.objects.select_for_update().get(pk=source.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            events.record(actor=actor, verb=verbs.SOURCE_DEACTIVATED.code, target=locked, dealer_id=None)
    return locked


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lead_source_authenticate(key: str) -> LeadSource | None:
    """The active source a public request's key belongs to, or None."""
    if not key:
        return None
    return LeadSource.objects.filter(key_hash=hash_key(key), is_active=True).first()


RULE_FIELDS = (
    "name",
    "region",
    "product_line",
    "strategy",
    "accept_minutes",
    "weight_tier",
    "weight_distance",
    "weight_load",
    "weight_fairness",
    "priority",
    "is_active",
)
WEIGHTS = ("weight_tier", "weight_distance", "weight_load", "weight_fairness")
MAX_PRIORITY = 32767


def rule_check(rule: AssignmentRule) -> None:
    """The rule as it would be saved: every field in range, and no other active rule for the same scope
    and priority (which of the two would win would then depend only on which was made first)."""
    rule.name = (rule.name or "").strip()
    if not rule.name or len(rule.name) > 100:
        raise RuleViolation(_("Give a name of at most 100 characters."), code="name_required", field="name")
    if rule.strategy not in AssignmentRule.Strategy.values:
        raise RuleViolation(_("Unknown strategy."), code="invalid_strategy", field="strategy")
    if rule.region_id is not None and rule.region.level == Region.Level.COUNTRY:
        raise RuleViolation(
            _("Leave the region empty for a rule that applies everywhere."), code="region_is_country", field="region"
        )
    if not MIN_ACCEPT_MINUTES <= (rule.accept_minutes or 0) <= MAX_ACCEPT_MINUTES:
        raise RuleViolation(
            _("The time to accept is from %(min)d minutes to %(days)d days.")
            % {"min": MIN_ACCEPT_MINUTES, "days": MAX_ACCEPT_MINUTES // (24 * 60)},
            code="accept_minutes_out_of_range",
            field="accept_minutes",
        )
    for weight in WEIGHTS:
        if not 0 <= (getattr(rule, weight) or 0) <= MAX_WEIGHT:
            raise RuleViolation(
                _("A weight is from 0 to %(max)d.") % {"max": MAX_WEIGHT}, code="weight_out_of_range", field=weight
            )
    if rule.strategy == AssignmentRule.Strategy.WEIGHTED and not any(getattr(rule, w) for w in WEIGHTS):
        raise RuleViolation(
            _("A weighted rule needs at least one weight above zero."), code="weights_all_zero", field="weight_tier"
        )
    if not 0 <= (rule.priority or 0) <= MAX_PRIORITY:
        raise RuleViolation(
            _("The priority is from 0 to %(max)d.") % {"max": MAX_PRIORITY}, code="invalid_priority", field="priority"
        )
    if rule.is_active:
        twin = (
            AssignmentRule.objects.filter(
                is_active=True, region_id=rule.region_id, product_line_id=rule.product_line_id, priority=rule.priority
            )
            .exclude(pk=rule.pk)
            .first()
        )
        if twin is not None:
            raise RuleViolation(
                _("The active rule “%(rule)s” has the same region, product line and priority; change the priority.")
                % {"rule": twin.name},
                code="rule_scope_taken",
                field="priority",
            )


def _rule_data(rule: AssignmentRule) -> dict:
    return {
        "name": rule.name,
        "region": rule.region.code if rule.region_id else None,
        "product_line": rule.product_line.code if rule.product_line_id else None,
        **{field: getattr(rule, field) for field in RULE_FIELDS if field not in ("name", "region", "product_line")},
    }


def rule_create(
    *,
    actor: User,
    name: str,
    region=None,
    product_line=None,
    strategy: str = AssignmentRule.Strategy.WEIGHTED,
    accept_minutes: int | None = None,
    weight_tier: int = 30,
    weight_distance: int = 30,
    weight_load: int = 20,
    weight_fairness: int = 20,
    priority: int = 100,
    is_active: bool = True,
) -> AssignmentRule:
    """A rule ranking the candidates for leads in ``region``'s subtree and/or of ``product_line``."""
    _require_routing(actor)
    rule = AssignmentRule(
        name=name,
        region=region,
        product_line=product_line,
        strategy=strategy,
        accept_minutes=settings.DMS_LEAD_ACCEPT_MINUTES if accept_minutes is None else accept_minutes,
        weight_tier=weight_tier,
        weight_distance=weight_distance,
        weight_load=weight_load,
        weight_fairness=weight_fairness,
        priority=priority,
        is_active=is_active,
    )
    with transaction.atomic():
        rule_check(rule)
        rule.save()
        events.record(actor=actor, verb=verbs.RULE_CREATED.code, target=rule, dealer_id=None, data=_rule_data(rule))
    return rule


def rule_update(*, actor: User, rule: AssignmentRule, **changes) -> AssignmentRule:
    """Change any of ``RULE_FIELDS``; the event lists what changed. Leads already offered keep their
    deadline; the next assignments use the rule as it is now."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"rule_update() got unexpected fields {sorted(unknown)}")
    _require_routing(actor)
    with transaction.atomic():
        locked = (
            AssignmentRule.objects.select_for_update(of=("self",))
            .select_related("region", "product_line")
            .get(pk=rule.pk)
        )
        before = _rule_data(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        rule_check(locked)
        after = _rule_data(locked)
        changed = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
        if changed:
            locked.save()
            events.record(
                actor=actor, verb=verbs.RULE_UPDATED.code, target=locked, dealer_id=None, data={"changes": changed}
            )
    return locked


def rule_deactivate(*, actor: User, rule: AssignmentRule) -> AssignmentRule:
    """The rule stops ranking new leads (the next matching rule, or the default, takes over). Already
    inactive: nothing changes."""
    _require_routing(actor)
    with transaction.atomic():
        locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            events.record(actor=actor, verb=verbs.RULE_DEACTIVATED.code, target=locked, dealer_id=None)
    return locked
