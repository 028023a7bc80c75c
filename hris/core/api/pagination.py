import re

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

_WHOLE_NUMBER = re.compile(r"[0-9]+")


class StandardPagination(PageNumberPagination):
    """`page` and `page_size`; a malformed value is a 400 with the parameter named,
    where DRF would answer 404 (page) or silently ignore it (page_size)."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):  # noqa: ANN001, ANN201
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(name)
            if raw is None or (name == self.page_query_param and raw in self.last_page_strings):
                continue
            if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
                errors[name] = [_("A whole number of at least 1 is required.")]
        if errors:
            raise exceptions.ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)
