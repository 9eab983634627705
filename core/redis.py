"""The one Redis connection Foule uses for its own keys (dirty sets, heartbeats)."""

from functools import cache

import redis
from django.conf import settings


@cache
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2)


def key(*parts: object) -> str:
    return ":".join([settings.FOULE_REDIS_PREFIX, *map(str, parts)])
