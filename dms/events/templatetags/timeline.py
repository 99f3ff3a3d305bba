"""``{% timeline object %}``: the reusable history of one object, scoped to the viewer.

``{% event_sentence event %}`` and ``{% event_url event %}`` give an event's sentence and the page of
its object as the reader may see them (the signed-in user, or ``recipient`` in an email);
``{{ user|seen_by:request.user }}`` names a person as the reader may know them (dealers see head
office, never its usernames).
"""

from django import template
from django.core.exceptions import FieldDoesNotExist

from dms.events import verbs
from dms.events.links import event_url as _event_url
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


def _reader(context):
    request = getattr(context, "request", None) or context.get("request")
    return request.user if request is not None else context.get("recipient")


@register.simple_tag(takes_context=True)
def event_sentence(context, event):
    return verbs.describe(event, viewer=_reader(context))


@register.simple_tag(takes_context=True)
def event_url(context, event):
    return _event_url(event, user=_reader(context))


@register.filter
def seen_by(user, viewer) -> str:
    return verbs.person(user, viewer=viewer or None)


@register.simple_tag
def event_reason(event) -> str:
    """The reason someone wrote for the event; a reason code the sentence already names is not repeated."""
    reason = (event.data or {}).get("reason")
    verb = verbs.get(event.verb)
    if not isinstance(reason, str) or (verb is not None and "%(reason_label)s" in str(verb.sentence)):
        return ""
    return reason
