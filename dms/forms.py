"""Helpers for HTML forms: a business-rule error is shown next to the form, never as a 500."""

from django import forms
from django.http import QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from dms.errors import DomainError
from dms.validators import validate_multiline_text, validate_single_line_text


def flash_form_errors(request, form) -> None:
    """Show a form's errors as messages, for POST-only actions that redirect back to a page."""
    from django.contrib import messages

    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def page_with_forms(view_class, request, /, *, bound_forms: dict, query: str | None = None, status=422, **view_kwargs):
    """Answer a POST whose form failed with the page that form sits on, shown by ``view_class``.

    ``bound_forms`` maps the page's context names to the bound forms that replace its empty ones, so what the
    user typed stays in the inputs and each error stands beside its field. ``query`` is the query string
    of the page the form came from (its list filters and page). The page's view must take its forms from
    the context arguments when they are given."""
    view = view_class()
    view.setup(request, **view_kwargs)
    if query is not None:
        request.GET = QueryDict(query)
    if hasattr(view, "get_object"):
        view.object = view.get_object()
    elif hasattr(view, "get_queryset"):
        view.object_list = view.get_queryset()
    return view.render_to_response(view.get_context_data(**bound_forms), status=status)


class FormPageMixin:
    """For a POST-only action answered with its page when its form fails (``page_with_forms``): the browser then
    shows the action's URL, so a GET on it (a page link, a filter, the language switch) leads to the page itself,
    with the same query. A view names that page in ``form_page_url``; it still takes no GET of its own."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        if request.method != "GET":
            return super().http_method_not_allowed(request, *args, **kwargs)
        url = self.form_page_url(**kwargs)
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)

    def form_page_url(self, **kwargs) -> str:
        raise NotImplementedError


def row_error(form, label) -> None:
    """Name the row a list form belongs to in each of its errors, e.g. the order number in the approval queue."""
    for errors in form.errors.values():
        errors.data = [_("%(row)s: %(error)s") % {"row": label, "error": error} for error in errors]


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
        if kind in ("checkbox", "radio"):
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
