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

`get_watched(key)` reads a key that every request needs (the data version) from a copy kept
in the process, which Redis itself invalidates: a connection of the process's own asks Redis
to tell it of every change to that key (CLIENT TRACKING in broadcast mode, the invalidations
sent to it as a subscriber), and the copy is dropped as soon as a change is told, or a write
through this process is made, or the connection fails. So the key costs no round trip while
it stays unchanged, and a change made through any process is seen at once by the others.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.connection import Connection, parse_url
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


#: Where Redis tells of changes to the keys a connection tracks (RESP2 subscribers).
INVALIDATIONS = "__redis__:invalidate"
#: A watched copy is read again after this long even if no change was told: a bound on how
#: stale it could be if the connection were silently lost (it is dropped on any error).
WATCH_BACKSTOP_SECONDS = 5.0


class Watch:
    """A copy of one key's value in this process, kept while Redis tells of no change to it.

    One connection per process and key (made again after a fork, as gunicorn's workers are),
    subscribed to its own invalidations; reading them is a poll of its socket.
    """

    def __init__(self, url: str, key: str, options: dict):
        self.url, self.key = url, key
        self.timeouts = {
            name: options[name]
            for name in ("socket_timeout", "socket_connect_timeout")
            if name in options
        }
        self.lock = threading.Lock()
        self.conn: Connection | None = None
        self.pid = 0
        self.value: Any = None
        self.read_at = 0.0
        self.retry_at = 0.0

    def get(self, fetch: Callable[[], Any]) -> Any:
        """The kept value while it holds, else fetch() (kept for next time if not None)."""
        with self.lock:
            if not self._listening():
                return fetch()
            now = time.monotonic()
            if self.value is not None and now - self.read_at < WATCH_BACKSTOP_SECONDS:
                return self.value
            # Read after the connection listens: a change made after this read is told.
            value = fetch()
            self.value, self.read_at = value, now
            return value

    def forget(self) -> None:
        with self.lock:
            self.value = None

    def _listening(self) -> bool:
        """Whether the connection listens and has no change left untold (the value is
        dropped if one was told); False, with the value dropped, if it cannot listen."""
        if self.conn is not None and self.pid != os.getpid():
            self.conn = None  # the parent's socket: a forked worker makes its own
            self.value = None
        if self.conn is None and not self._connect():
            return False
        try:
            while self.conn.can_read(timeout=0):
                message = self.conn.read_response()
                if message[0] == b"message" and message[1] == INVALIDATIONS.encode():
                    self.value = None
        except (RedisError, OSError):
            self._drop()
            return False
        return True

    def _connect(self) -> bool:
        if time.monotonic() < self.retry_at:
            return False
        conn = Connection(**parse_url(self.url), protocol=2, **self.timeouts)
        try:
            conn.connect()
            conn.send_command("CLIENT", "ID")
            own_id = conn.read_response()
            conn.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST", "PREFIX", self.key
            )
            conn.read_response()
            conn.send_command("SUBSCRIBE", INVALIDATIONS)
            conn.read_response()
        except (RedisError, OSError):
            conn.disconnect()
            self.retry_at = time.monotonic() + RETRY_AFTER_SECONDS
            return False
        self.conn, self.pid, self.value = conn, os.getpid(), None
        return True

    def _drop(self) -> None:
        conn, self.conn, self.value = self.conn, None, None
        with contextlib.suppress(RedisError, OSError):
            conn.disconnect()


_watches: dict[tuple[str, str], Watch] = {}


def watch_of(url: str, key: str, options: dict) -> Watch:
    with _outages_lock:
        return _watches.setdefault((url, key), Watch(url, key, options))


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient
        self._outage = outage_of(",".join(self._servers))

    def get_watched(self, key, default=None, version=None):
        """get(key), from this process's copy while Redis tells of no change to the key
        (see Watch); for a key read on every request."""
        full_key = self.make_key(key, version=version)
        watch = watch_of(self._servers[0], full_key, self._options)
        if self._outage.skipping():
            return default
        value = watch.get(lambda: self.get(key, None, version))
        return default if value is None else value

    def _forget_watched(self, keys) -> None:
        for key in keys:
            if (watch := _watches.get((self._servers[0], self.make_key(key)))) is not None:
                watch.forget()

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

    # Writes drop this process's watched copy of what they write: it is read again next.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_watched([key])
        return self._call(super().add, False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Store the value: True if stored, False if Redis did not answer."""
        self._forget_watched([key])
        return self._call(super().set, False, key, value, timeout, version) is not False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_watched(data)
        return self._call(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        self._forget_watched([key])
        return self._call(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        self._forget_watched(keys)
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        for (server, _), watch in list(_watches.items()):
            if server == self._servers[0]:
                watch.forget()
        return self._call(super().clear, False)
