"""``{{ value|since }}``, ``{{ value|until }}`` and ``{{ delta|duration }}``: lengths of time in unambiguous words.

They replace Django's timesince and timeuntil (whose Chinese "11 月" reads as "November"); an optional
argument is the moment to measure from, as with timeuntil: ``{{ deadline|until:now }}``.
"""

import datetime

from django import template

from dms import durations

register = template.Library()


@register.filter
def since(value, now=None) -> str:
    if not isinstance(value, datetime.date):
        return ""
    return durations.since(value, now=now or None)


@register.filter
def until(value, now=None) -> str:
    if not isinstance(value, datetime.date):
        return ""
    return durations.until(value, now=now or None)


@register.filter
def duration(value) -> str:
    if not isinstance(value, datetime.timedelta):
        return ""
    return durations.duration(value)
