"""Bulk actions on head office's lists: the ticked rows are looked up in the user's scope, each is handed to
the one-object service in its own transaction, and the page shows afterwards what happened to each row."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from dms.errors import DomainError
from dms.forms import BootstrapFormMixin

# One request stays short, and one mistaken click touches a bounded number of rows.
MAX_ROWS = 100
SESSION_KEY = "dms_bulk_results"
NOT_FOUND = _("Not found, or not yours to act on.")


class SelectedRowsField(forms.Field):
    """The ids of the ticked rows, in the order they were ticked, each once."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one row."),
        "invalid": _("The selection is not valid: reload the page and select again."),
        "too_many": ngettext_lazy(
            "Select at most %(limit)d row at a time.", "Select at most %(limit)d rows at a time.", "limit"
        ),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            ids = [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if any(pk <= 0 for pk in ids):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return list(dict.fromkeys(ids))

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > MAX_ROWS:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"limit": MAX_ROWS})


class BulkForm(BootstrapFormMixin, forms.Form):
    """The selected rows and the action chosen for them; a page adds the fields its action needs."""

    selected = SelectedRowsField()
    action = forms.ChoiceField(widget=forms.HiddenInput, error_messages={"required": _("Choose an action.")})

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = list(actions.items())


def run_rows(*, ids, objects: dict, perform: Callable, describe: Callable, done: str) -> list[dict]:
    """``perform(obj)`` for each id, in its own transaction, so that one refusal leaves the other rows done.
    ``objects`` maps the ids the user may act on to their objects; any other id is reported, never touched.
    ``describe(obj)`` gives the row's label and link. Returns one result per id, in order."""
    results = []
    for pk in ids:
        obj = objects.get(pk)
        if obj is None:
            results.append({"label": f"#{pk}", "url": "", "ok": False, "message": str(NOT_FOUND)})
            continue
        label, url = describe(obj)
        try:
            with transaction.atomic():
                perform(obj)
        except DomainError as exc:
            results.append({"label": label, "url": url, "ok": False, "message": str(exc.message)})
        except ObjectDoesNotExist:  # deleted since the page was shown
            results.append({"label": label, "url": "", "ok": False, "message": str(NOT_FOUND)})
        else:
            results.append({"label": label, "url": url, "ok": True, "message": str(done)})
    return results


class BulkActionMixin:
    """A list page whose rows can be ticked and acted on together. POST runs the action and comes back to
    the same page, which shows a result per row; a form error (no row, too many, a missing reason) shows
    the page again with the error beside its field and nothing changed.

    A page declares ``bulk_actions`` (action → what a done row says) and implements ``bulk_allowed``,
    ``bulk_queryset`` (the user's scope), ``bulk_perform`` (one service call) and ``bulk_describe``."""

    bulk_form_class = BulkForm
    bulk_actions: dict = {}
    bulk_form = None

    def bulk_allowed(self) -> bool:
        return True

    def bulk_queryset(self):
        raise NotImplementedError

    def bulk_perform(self, obj, *, action: str, data: dict) -> None:
        raise NotImplementedError

    def bulk_describe(self, obj) -> tuple[str, str]:
        raise NotImplementedError

    def get_bulk_form_kwargs(self) -> dict:
        return {"actions": self.bulk_actions, "auto_id": "bulk-%s"}

    def post(self, request, *args, **kwargs):
        if not self.bulk_allowed():
            raise PermissionDenied
        form = self.bulk_form_class(request.POST, **self.get_bulk_form_kwargs())
        if not form.is_valid():
            self.bulk_form = form
            response = self.get(request, *args, **kwargs)
            response.status_code = 422
            return response
        data = dict(form.cleaned_data)
        ids, action = data.pop("selected"), data.pop("action")
        objects = {obj.pk: obj for obj in self.bulk_queryset().filter(pk__in=ids)}
        request.session[SESSION_KEY] = run_rows(
            ids=ids,
            objects=objects,
            perform=lambda obj: self.bulk_perform(obj, action=action, data=data),
            describe=self.bulk_describe,
            done=self.bulk_actions[action],
        )
        return redirect(request.get_full_path())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.bulk_allowed():
            form = self.bulk_form or self.bulk_form_class(**self.get_bulk_form_kwargs())
            context["bulk_form"] = form
            context["bulk_selected"] = set(form.data.getlist("selected")) if form.is_bound else set()
        results = self.request.session.pop(SESSION_KEY, None)
        if results:
            context["bulk_results"] = results
            context["bulk_done"] = sum(1 for row in results if row["ok"])
        return context
