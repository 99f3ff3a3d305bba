"""``manage.py check_text``: the stored rows whose text a form or the API would now refuse."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.utils.translation import gettext as _

from dms.validators import text_problem, validate_code


def _project_models():
    """The concrete models of the project's own apps (not Django's or third parties')."""
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if root in path.parents and ".venv" not in path.parts:
            for model in config.get_models():
                if not model._meta.proxy and model._meta.managed:
                    yield model


def _problem(field, value):
    """Why ``value`` breaks the rule for ``field``, or None."""
    if not value:
        return None
    if validate_code in field.validators:
        try:
            validate_code(value)
        except ValidationError as exc:
            return exc.messages[0]
        return None
    problem = text_problem(value, multiline=isinstance(field, models.TextField))
    return problem.messages[0] if problem else None


def text_problems():
    """``(model label, pk, field name, problem)`` for every stored value that breaks the code or free-text rule."""
    for model in _project_models():
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices
        ]
        if not fields:
            continue
        names = [field.attname for field in fields]
        for pk, *values in model._base_manager.values_list("pk", *names).order_by("pk").iterator(chunk_size=2000):
            for field, value in zip(fields, values, strict=True):
                problem = _problem(field, value)
                if problem:
                    yield model._meta.label_lower, pk, field.name, problem


class Command(BaseCommand):
    help = "List stored codes and texts that break the rules forms and the API enforce; exit status 1 if any."

    def handle(self, *args, **options):
        count = 0
        for label, pk, field, problem in text_problems():
            count += 1
            self.stdout.write(f"{label} {pk} {field}: {problem}")
        if count:
            raise CommandError(_("%(count)s stored values break the text rules.") % {"count": count}, returncode=1)
        self.stdout.write(_("No stored value breaks the text rules."))
