"""``{% timeline object %}``: the reusable history of one object, scoped to the viewer."""

from django import template
from django.core.exceptions import FieldDoesNotExist

from dms.events.selectors import event_timeline

register = template.Library()


def change_rows(event) -> list[tuple[str, str, str]]:
    """(field label, before, after) for an event whose data lists changes, in the reader's language."""
    changes = (event.data or {}).get("changes")
    if not isinstance(changes, dict):
        return []
    model = event.target_type.model_class()
    rows = []
    for name, pair in changes.items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        try:
            field = model._meta.get_field(name)
        except (AttributeError, FieldDoesNotExist):
            rows.append((name, before, after))
            continue
        labels = dict(field.flatchoices) if field.choices else {}
        rows.append((str(field.verbose_name), labels.get(before, before), labels.get(after, after)))
    return rows


@register.inclusion_tag("events/_timeline.html", takes_context=True)
def timeline(context, target, limit=50):
    return {"events": event_timeline(user=context["request"].user, target=target, limit=limit)}


@register.simple_tag
def event_changes(event):
    return change_rows(event)
