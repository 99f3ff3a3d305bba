"""Helpers for HTML forms: a business-rule error is shown next to the form, never as a 500."""

from django import forms

from dms.errors import DomainError
from dms.validators import validate_multiline_text, validate_single_line_text


def flash_form_errors(request, form) -> None:
    """Show a form's errors as messages, for POST-only actions that redirect back to a page."""
    from django.contrib import messages

    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def run_service(form, service, /, **kwargs):
    """Call ``service(**kwargs)``; on a DomainError put its message on the form and return None."""
    try:
        return service(**kwargs)
    except DomainError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, str(exc.message))
        return None


def style_form(form, *, small: bool = False):
    """Give every widget of ``form`` the Bootstrap class that matches its kind."""
    for field in form.fields.values():
        widget = field.widget
        kind = getattr(widget, "input_type", None)
        if kind == "checkbox":
            css = "form-check-input"
        elif kind == "select" or widget.__class__.__name__.endswith("Select"):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


def guard_text(form):
    """Make every text field of ``form`` refuse control and unprintable characters; a textarea keeps tabs
    and line breaks. Passwords are left as typed."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
            continue
        multiline = isinstance(field.widget, forms.Textarea)
        field.validators.append(validate_multiline_text if multiline else validate_single_line_text)
    return form


class BootstrapFormMixin:
    """Bootstrap styling and the free-text rule for every field of an HTML form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)
        guard_text(self)


class StatusSelect(forms.Select):
    """One status picked from a drop-down; a URL may still name several (``?status=a&status=b``)."""

    def value_from_datadict(self, data, files, name):
        return [value for value in data.getlist(name) if value]
