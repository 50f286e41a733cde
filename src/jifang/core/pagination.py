"""Keyset pagination: pages are "the next N rows with id > after", so page 10,000 of a
1,000,000-row table costs the same as page 1 (no OFFSET, no COUNT)."""
from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
MAX_ID = 2**63 - 1  # a bigint key: a cursor past it is not a cursor


@dataclass
class KeysetPage:
    rows: list
    after: int | None       # the cursor this page started from
    next_after: int | None  # pass as ?after= for the next page; None on the last page
    size: int


def _whole(value) -> int | None:
    """A whole number written in ASCII digits (a query string's "abc", "1e9", "²" are not)."""
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else None


def parse_cursor(value) -> int | None:
    cursor = _whole(value)
    return cursor if cursor is not None and cursor <= MAX_ID else None


def parse_page_size(value, default: int = DEFAULT_PAGE_SIZE) -> int:
    """A page size from a query string: anything that is not a whole number gives the default,
    and a number is held between 1 and MAX_PAGE_SIZE."""
    size = _whole(value)
    return default if size is None else max(1, min(size, MAX_PAGE_SIZE))


def keyset_page(qs: QuerySet, *, after=None, size=DEFAULT_PAGE_SIZE) -> KeysetPage:
    size = parse_page_size(size)
    cursor = parse_cursor(after)
    page_qs = qs.order_by("pk")
    if cursor is not None:
        page_qs = page_qs.filter(pk__gt=cursor)
    rows = list(page_qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows=rows, after=cursor, next_after=rows[-1].pk if more and rows else None, size=size)


class KeysetPagination(BasePagination):
    """`?after=<id>&page_size=N`; the response carries `next` (a URL) and `results`."""

    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = keyset_page(
            queryset, after=request.query_params.get("after"), size=request.query_params.get("page_size")
        )
        return self.page.rows

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        nxt = replace_query_param(url, "after", self.page.next_after) if self.page.next_after else None
        return Response({"next": nxt, "first": remove_query_param(url, "after"), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "first": {"type": "string", "format": "uri"},
                "results": schema,
            },
        }
