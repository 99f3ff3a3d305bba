"""``{% sort_th "code" _("Dealer code") %}``: a column header that sorts the list; ``{% page_range page_obj %}``;
``{{ paginator|row_count }}``: how many rows the list holds."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dms import pagination
from dms.lists import SORT_PARAM, sort_filter_of

register = template.Library()

ARIA_SORT = {"": "none", "asc": "ascending", "desc": "descending"}
ICONS = {"": "bi-arrow-down-up", "asc": "bi-sort-up", "desc": "bi-sort-down"}


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label: str, css: str = "") -> str:
    """A ``<th>`` whose link sorts the list by ``key``: ascending first, descending when it already sorts
    ascending. Other parameters (filters, page size) are kept; the page goes back to the first.

    ``key`` must be one of the list FilterSet's sort keys: a header promising a sort the list cannot do
    is a mistake that fails loudly."""
    sort = sort_filter_of(context.get("filterset"))
    if sort is None or key not in sort.param_map:
        raise template.TemplateSyntaxError(f"{key!r} is not a sort key of this list.")
    request = context["request"]
    current = request.GET.get(SORT_PARAM, "")
    state = "asc" if current == key else "desc" if current == f"-{key}" else ""
    query = request.GET.copy()
    query.pop("page", None)
    query[SORT_PARAM] = f"-{key}" if state == "asc" else key
    title = _("Sort descending") if state == "asc" else _("Sort ascending")
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a class="dms-sort{}" href="?{}" title="{}" data-sort="{}">'
        '{} <i class="bi {}" aria-hidden="true"></i></a></th>',
        css,
        ARIA_SORT[state],
        " active" if state else "",
        query.urlencode(),
        title,
        key,
        label,
        ICONS[state],
    )


@register.filter
def row_count(paginator) -> str:
    """The number of rows, or "more than 10,000" when the list counted no further (see ``dms.pagination``)."""
    if paginator.count_exact:
        return str(paginator.count)
    return f"{pagination.COUNT_LIMIT:,}+"


@register.simple_tag
def page_range(page_obj):
    """Page numbers around the current one and at both ends, with ``paginator.ELLIPSIS`` for the gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1))


@register.inclusion_tag("partials/sort_menu.html", takes_context=True)
def sort_menu(context):
    """A menu that sorts a list shown as cards, by the keys its FilterSet's sort filter labels."""
    sort = sort_filter_of(context.get("filterset"))
    if sort is None or not sort.labels:
        raise template.TemplateSyntaxError("This list has no labelled sort keys.")
    request = context["request"]
    current = request.GET.get(SORT_PARAM, "")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop(SORT_PARAM, None)
    options = []
    for key, label in sort.labels.items():
        for value, descending in ((key, False), (f"-{key}", True)):
            query[SORT_PARAM] = value
            options.append(
                {"label": label, "descending": descending, "href": f"?{query.urlencode()}", "active": current == value}
            )
    query.pop(SORT_PARAM, None)
    chosen = next((option for option in options if option["active"]), None)
    return {"options": options, "chosen": chosen, "default_href": f"?{query.urlencode()}"}
