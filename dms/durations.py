"""Lengths of time people read without ambiguity: "11 个月 3 周", "2 天 4 小时", "11 months, 3 weeks".

Django's timesince writes months as "11 月" in Chinese, which reads as "November"; these words come
from the project's catalogue under the context "duration". A duration names its largest unit and,
when it is not zero, the next smaller one; under a minute it reads "0 minutes".
"""

import datetime

from django.utils import timezone
from django.utils.translation import npgettext, pgettext

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
MONTH = 30 * DAY
YEAR = 365 * DAY


def _years(count: int) -> str:
    return npgettext("duration", "%(count)s year", "%(count)s years", count) % {"count": count}


def _months(count: int) -> str:
    return npgettext("duration", "%(count)s month", "%(count)s months", count) % {"count": count}


def _weeks(count: int) -> str:
    return npgettext("duration", "%(count)s week", "%(count)s weeks", count) % {"count": count}


def _days(count: int) -> str:
    return npgettext("duration", "%(count)s day", "%(count)s days", count) % {"count": count}


def _hours(count: int) -> str:
    return npgettext("duration", "%(count)s hour", "%(count)s hours", count) % {"count": count}


def _minutes(count: int) -> str:
    return npgettext("duration", "%(count)s minute", "%(count)s minutes", count) % {"count": count}


UNITS = ((YEAR, _years), (MONTH, _months), (WEEK, _weeks), (DAY, _days), (HOUR, _hours), (MINUTE, _minutes))


def duration(delta: datetime.timedelta) -> str:
    """The length of ``delta`` in at most two adjacent units; a negative length reads as none."""
    seconds = max(int(delta.total_seconds()), 0)
    for index, (size, word) in enumerate(UNITS):
        count = seconds // size
        if count:
            parts = [word(count)]
            if index + 1 < len(UNITS):
                next_size, next_word = UNITS[index + 1]
                rest = (seconds - count * size) // next_size
                if rest:
                    parts.append(next_word(rest))
            # Chinese separates the two parts with a space, English with a comma.
            return pgettext("duration separator", ", ").join(parts)
    return _minutes(0)


def _moment(value: datetime.date) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime(value.year, value.month, value.day, tzinfo=timezone.get_current_timezone())


def _now_for(moment: datetime.datetime, now: datetime.date | None) -> datetime.datetime:
    if now is not None:
        return _moment(now)
    return timezone.now() if timezone.is_aware(moment) else datetime.datetime.now()


def since(value: datetime.date, *, now: datetime.date | None = None) -> str:
    """How long ago ``value`` was, e.g. "3 周 2 天"; a moment still to come reads "0 分钟"."""
    moment = _moment(value)
    return duration(_now_for(moment, now) - moment)


def until(value: datetime.date, *, now: datetime.date | None = None) -> str:
    """How long until ``value``, e.g. "4 小时 12 分钟"; a moment already past reads "0 分钟"."""
    moment = _moment(value)
    return duration(moment - _now_for(moment, now))
