from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dms.pagination import COUNT_LIMIT, Paginator
from dms.params import parse_id


class PageNumberPagination(pagination.PageNumberPagination):
    """25 rows a page by default; ``page_size`` from 1 up to 100, anything else is a 400. A page past the
    end answers the last page, as the HTML lists show it. ``count`` is exact up to 10,000 rows and null
    past that (see ``dms.pagination``); ``next`` always leads on to the end."""

    django_paginator_class = Paginator
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        size = parse_id(raw)
        if size is None:
            raise ValidationError({self.page_size_query_param: [_("A whole number from 1 to 100.")]})
        return min(size, self.max_page_size)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count if paginator.count_exact else None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"].update(
            {
                "nullable": True,
                "description": f"The number of matching rows; null when more than {COUNT_LIMIT:,} match.",
            }
        )
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
