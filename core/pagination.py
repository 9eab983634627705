"""Pagination whose total is cached for a few seconds: counting 100,000 rows on every
page view costs more than the page itself. The total may be a few seconds stale; the
pages themselves never are."""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_SECONDS = 30


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        key = "count:" + hashlib.sha256(str(query).encode()).hexdigest()
        return cache.get_or_set(key, lambda: Paginator.count.func(self), COUNT_SECONDS)


class CachedCountPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator
