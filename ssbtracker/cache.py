"""Django's Redis cache backend, keeping one Redis client per connection pool, and serving
without the cache while Redis does not answer.

The built-in backend makes a new `redis.Redis` client for every operation, and redis-py
builds its table of some 170 response callbacks for every client it makes: about 0.3 ms, more
than the round trip to Redis itself. A cached page costs two operations (the data version,
then the page), so this client is made once and reused; Redis clients are thread-safe and
share the pool's connections.

The cache only saves work: when Redis is down or unreachable, every operation answers as a
miss would (a read finds nothing, a write stores nothing and says so), so pages are rendered
uncached and editors' saves go through. The first failure is logged as a warning, and again
at most once a minute while they go on; after a failure the server is left alone for a few
seconds, so that a Redis that does not answer at all costs each request nothing.
`incr`/`decr` still raise: nothing here counts in the cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger("ssbtracker.cache")

#: After a failure, operations answer as misses without trying Redis for this long.
RETRY_AFTER_SECONDS = 5.0
#: While failures go on, at most one warning in this long.
LOG_EVERY_SECONDS = 60.0


class ReusedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class Outage:
    """Whether one Redis server is failing, shared by the threads of a process."""

    def __init__(self, servers: str):
        self.servers = servers
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0
        self.logged_at: float | None = None

    def skipping(self) -> bool:
        return self.down and time.monotonic() < self.retry_at

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.down = True
            self.retry_at = now + RETRY_AFTER_SECONDS
            if self.logged_at is not None and now - self.logged_at < LOG_EVERY_SECONDS:
                return
            self.logged_at = now
        log.warning(
            "Cache at %s does not answer (%s): serving pages uncached until it does.",
            self.servers,
            exc,
        )

    def answered(self) -> None:
        if self.down:
            with self.lock:
                self.down = False
            log.warning("Cache at %s answers again.", self.servers)


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_of(servers: str) -> Outage:
    with _outages_lock:
        return _outages.setdefault(servers, Outage(servers))


def forget_outage() -> None:
    """Forget every failure seen (for tests that take Redis away and give it back)."""
    with _outages_lock:
        _outages.clear()


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient
        self._outage = outage_of(",".join(self._servers))

    def _call(self, operation: Callable[..., Any], miss: Any, *args, **kwargs) -> Any:
        if self._outage.skipping():
            return miss
        try:
            result = operation(*args, **kwargs)
        except RedisError as exc:
            self._outage.failed(exc)
            return miss
        self._outage.answered()
        return result

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Store the value: True if stored, False if Redis did not answer."""
        return self._call(super().set, False, key, value, timeout, version) is not False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)
