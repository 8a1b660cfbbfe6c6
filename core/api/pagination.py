"""Limit/offset pages whose parameters are checked: a bad value is a 400 with a reason.

DRF's own LimitOffsetPagination passes any limit to the database (a 27-digit limit
overflows SQLite's LIMIT) and silently replaces a malformed one with the default.
"""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from core.api.ranges import as_int

MAX_LIMIT = 1000
MAX_OFFSET = 2**63 - 1  # a bigint; beyond the row count the page is simply empty


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return self._read(request, self.limit_query_param, 1, self.max_limit, self.default_limit,
                          f"每页条数须为1至{self.max_limit}之间的整数。")

    def get_offset(self, request):
        return self._read(request, self.offset_query_param, 0, MAX_OFFSET, 0,
                          "起始位置须为不小于0的整数。")

    @staticmethod
    def _read(request, name, lo, hi, default, reason):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        number = as_int(raw)
        if number is None or not lo <= number <= hi:
            raise ValidationError({name: [reason]})
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: (1, self.max_limit), self.offset_query_param: (0, MAX_OFFSET)}
        for parameter in parameters:
            lo, hi = bounds[parameter["name"]]
            parameter["schema"].update(minimum=lo, maximum=hi)
        return parameters
