"""Pagination whose total is a cached hint: counting 100,000 rows on every page view costs
more than the page itself, so the total is cached for COUNT_SECONDS.

The pages never depend on that hint. A page reads one row more than it shows, which tells
whether a next page exists; a page is never cut at the cached total, and a page past the
cached total is still served if it has rows. So a list never drops an item: a new idea
does not push another one off the last page, and an author's own new idea in a private
campaign does not hide their older one. The total in the response is corrected by what
the page saw (exact on the last page, which also refreshes the cache); elsewhere it may
be up to COUNT_SECONDS stale.

Queries per page: the page itself, and the count when it is not cached.
"""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_SECONDS = 30
# The largest row offset a page may start at: beyond it, the database's bigint OFFSET
# overflows (page=10**30 was a 500). No list is that long: such a page is simply empty.
MAX_OFFSET = 2**62


class CountHintPage(Page):
    """A page that knows from its own rows whether a next one exists."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    def next_page_number(self) -> int:
        if not self._has_next:
            raise EmptyPage(self.paginator.error_messages["no_results"])
        return self.number + 1

    def end_index(self) -> int:
        if not self.object_list:
            return 0
        return self.start_index() + len(self.object_list) - 1


class CachedCountPaginator(Paginator):
    """`count` is a cached hint; `page()` reads per_page + 1 rows and never truncates."""

    @cached_property
    def count_cache_key(self) -> str | None:
        query = getattr(self.object_list, "query", None)
        if query is None or query.is_empty():
            return None
        try:
            sql = str(query)
        except EmptyResultSet:  # a filter that can match nothing (`id__in=[]`)
            return None
        return "count:" + hashlib.sha256(sql.encode()).hexdigest()

    @cached_property
    def count(self) -> int:
        key = self.count_cache_key
        if key is None:  # no query to cache (a list), or one Django answers without SQL
            return super().count
        return cache.get_or_set(key, lambda: Paginator.count.func(self), COUNT_SECONDS)

    def validate_number(self, number) -> int:
        """A page number, without comparing it to the (possibly stale) total."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number) -> CountHintPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        has_next = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage(self.error_messages["no_results"])
        self._correct_count(seen=bottom + len(rows), has_next=has_next)
        return CountHintPage(rows, number, self, has_next=has_next)

    def _correct_count(self, *, seen: int, has_next: bool) -> None:
        """Make the total agree with the rows the page read: at least one more than seen
        while a next page exists, exactly `seen` on the last page (then cached)."""
        hint = self.count
        if has_next:
            if hint <= seen:
                self.__dict__["count"] = seen + 1
        elif hint != seen:
            self.__dict__["count"] = seen
            if self.count_cache_key is not None:
                cache.set(self.count_cache_key, seen, COUNT_SECONDS)
        self.__dict__.pop("num_pages", None)


class CachedCountPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator
