"""Saving a setup record (a product, a warehouse, a carrier, a vehicle) the same way in every app: the
fields a service allows, validated by the model's own rules, saved with one event."""

from collections.abc import Collection

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from dms import events
from dms.errors import DomainError, RuleViolation


def assign_fields(instance, fields: dict, allowed: Collection[str]):
    """Set ``fields`` on ``instance`` (text stripped); a field outside ``allowed`` is refused."""
    unknown = set(fields).difference(allowed)
    if unknown:
        raise RuleViolation(code="unknown_field", data={"fields": sorted(unknown)})
    for name, value in fields.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
    return instance


def validated_save(instance, *, actor, verb: str, created: bool, dealer_id=None) -> None:
    """Validate with the model's own rules (uniqueness, constraints) and save, as one event."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise RuleViolation(
            " ".join(messages),
            code="invalid",
            field=None if field == "__all__" else field,
            data={"fields": {k: [str(m) for m in v] for k, v in exc.message_dict.items()}},
        ) from exc
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise RuleViolation(_("This conflicts with an existing record."), code="conflict") from exc
    events.record(
        actor=actor,
        verb=verb,
        target=instance,
        dealer_id=dealer_id,
        data={"created": created, "name": str(instance)},
    )


class ServiceSaveMixin:
    """For a ``ModelAdmin``: ``save_model`` goes through ``service``; a broken rule becomes an error message."""

    service = None
    fields_for_service: tuple = ()
    instance_arg = ""

    def save_through_service(self, request, instance, data: dict):
        return type(self).service(actor=request.user, **{self.instance_arg: instance}, **data)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in self.fields_for_service if f in form.cleaned_data}
        if change:
            data = {f: v for f, v in data.items() if f in form.changed_data}
        try:
            saved = self.save_through_service(request, obj if change else None, data)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk
        obj._state.adding = False
