"""
Django's Redis cache, made to give up quickly while Redis is down.

Every application server shares one Redis for the rate-limit counters and
the cached sitemaps. When it stops answering, each use would wait for its
timeout (half a second) before the caller falls back (rate limits not
applied, sitemap built afresh). Here the first failure marks Redis down for
``REDIS_RETRY_SECONDS``: until then every operation fails at once, without
touching the network, and the callers fall back at no cost. Then one
request tries again.
"""

import logging
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

logger = logging.getLogger("ccs_archive.cache")


class CacheUnavailable(RedisConnectionError):
    """Redis failed a moment ago: not tried again yet."""


def _guarded(name):
    operation = getattr(RedisCacheClient, name)

    def guarded(self, *args, **kwargs):
        if time.monotonic() < self.down_until:
            raise CacheUnavailable("Redis was unavailable moments ago")
        try:
            return operation(self, *args, **kwargs)
        except RedisError:
            self.down_until = time.monotonic() + settings.REDIS_RETRY_SECONDS
            logger.warning("Redis unavailable: not tried again for %s s", settings.REDIS_RETRY_SECONDS)
            raise

    guarded.__name__ = name
    return guarded


class GuardedRedisCacheClient(RedisCacheClient):
    down_until = 0.0


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(GuardedRedisCacheClient, _name, _guarded(_name))


class GuardedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = GuardedRedisCacheClient
