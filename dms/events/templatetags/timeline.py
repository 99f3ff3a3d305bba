"""``{% timeline object %}``: the reusable history of one object, scoped to the viewer."""

from django import template

from dms.events.selectors import event_timeline

register = template.Library()


@register.inclusion_tag("events/_timeline.html", takes_context=True)
def timeline(context, target, limit=50):
    return {"events": event_timeline(user=context["request"].user, target=target, limit=limit)}
