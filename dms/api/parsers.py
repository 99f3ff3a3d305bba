"""Request parsers that hold every text value of a request body to the free-text rule (``dms.validators``), so
no serializer can let a control or private-use character through. The API has no widget saying which fields
take several lines, so tabs and line breaks are allowed everywhere; code fields add their own pattern."""

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from dms.validators import text_problem

# Passwords are compared, never shown: they are taken as typed.
UNCHECKED_KEYS = frozenset({"password"})


def _problems(value):
    """Errors shaped like a serializer's (``{"field": ["message"]}``, nested for objects and lists), or None."""
    if isinstance(value, str):
        problem = text_problem(value, multiline=True)
        return [problem.messages[0]] if problem else None
    if isinstance(value, dict):
        items = ((key, item) for key, item in value.items() if key not in UNCHECKED_KEYS)
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    errors = {}
    for key, item in items:
        found = _problems(item)
        if found:
            errors[key] = found
    return errors or None


def check_text(data):
    """Raise a 400 ``invalid`` naming each value of ``data`` that holds a character free text may not."""
    if isinstance(data, QueryDict):
        data = {key: values[0] if len(values) == 1 else values for key, values in data.lists()}
    errors = _problems(data)
    if errors:
        raise ValidationError(errors)


class JSONParser(parsers.JSONParser):
    """JSON bodies, with the free-text rule."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_text(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """Form uploads, with the free-text rule on their fields (file names are the upload's business)."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_text(result.data)
        return result
