"""Keyset pagination: pages are "the next N rows with id > after", so page 10,000 of a
1,000,000-row table costs the same as page 1 (no OFFSET, no COUNT)."""
from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE_SIZE = 200


@dataclass
class KeysetPage:
    rows: list
    after: int | None       # the cursor this page started from
    next_after: int | None  # pass as ?after= for the next page; None on the last page
    size: int


def parse_cursor(value) -> int | None:
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if cursor >= 0 else None


def keyset_page(qs: QuerySet, *, after=None, size: int = 50) -> KeysetPage:
    size = max(1, min(int(size or 50), MAX_PAGE_SIZE))
    cursor = parse_cursor(after)
    page_qs = qs.order_by("pk")
    if cursor is not None:
        page_qs = page_qs.filter(pk__gt=cursor)
    rows = list(page_qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows=rows, after=cursor, next_after=rows[-1].pk if more and rows else None, size=size)


# A list's total ("共 N 条") is counted exactly up to this many rows and shown as "more than" beyond:
# COUNT(*) over a LIMITed subquery stops after COUNT_LIMIT + 1 rows, so a total costs at most that
# much whatever the table's size (an exact count of 1,000,000 devices would read them all).
COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class Total:
    n: int
    more: bool  # True: there are more than n (= COUNT_LIMIT) rows


def bounded_count(qs: QuerySet, limit: int = COUNT_LIMIT) -> Total:
    n = qs.order_by()[: limit + 1].count()
    return Total(min(n, limit), n > limit)


class KeysetPagination(BasePagination):
    """`?after=<id>&page_size=N`; the response carries `next` (a URL) and `results`."""

    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = keyset_page(
            queryset, after=request.query_params.get("after"), size=request.query_params.get("page_size", 50)
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
