"""The data version kept in each process, invalidated by Redis itself (ssbtracker.cache.Watch):
no round trip while nothing changes, and a change made anywhere is seen at once."""

import pickle

import pytest
import redis
from django.core.cache import cache, caches
from redis.connection import Connection

from claims.cache import DATA_VERSION_KEY, bump_data_version, data_version
from tests import servers

pytestmark = pytest.mark.django_db

REDIS_URL = servers.redis_url(9)


@pytest.fixture
def redis_cache(settings):
    from ssbtracker.cache import forget_outage

    forget_outage()
    settings.CACHES = {
        "default": {
            "BACKEND": "ssbtracker.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "test-watch",
        },
        "rows": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "local-pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-watch-pages",
        },
    }
    cache.clear()
    caches["local-pages"].clear()
    yield redis.Redis.from_url(REDIS_URL)
    cache.clear()


@pytest.fixture
def sent(monkeypatch):
    """The commands this process sends to Redis (they still go to it)."""
    commands = []
    send = Connection.send_command

    def counted(self, *args, **kwargs):
        commands.append(args[0])
        return send(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_command", counted)
    return commands


def test_the_data_version_is_read_from_redis_once_while_it_does_not_change(redis_cache, sent):
    first = data_version()
    sent.clear()
    assert [data_version() for _ in range(20)] == [first] * 20
    assert sent == []


def test_a_change_made_by_another_process_is_seen_at_once(redis_cache):
    before = data_version()
    redis_cache.set(cache.make_key(DATA_VERSION_KEY), pickle.dumps("set-elsewhere"))
    assert data_version() == "set-elsewhere" != before


def test_a_bump_by_this_process_is_seen_at_once(redis_cache):
    before = data_version()
    bump_data_version()
    after = data_version()
    assert after != before
    assert pickle.loads(redis_cache.get(cache.make_key(DATA_VERSION_KEY))) == after


def test_an_emptied_cache_gives_a_new_version_at_once(redis_cache):
    before = data_version()
    redis_cache.flushdb()
    assert data_version() not in (None, before)


def test_a_lost_watch_connection_falls_back_to_reading_redis(redis_cache):
    data_version()
    redis_cache.client_kill_filter(_type="pubsub")
    redis_cache.set(cache.make_key(DATA_VERSION_KEY), pickle.dumps("after-the-kill"))
    assert data_version() == "after-the-kill"
    # and listens again
    redis_cache.set(cache.make_key(DATA_VERSION_KEY), pickle.dumps("listened-again"))
    assert data_version() == "listened-again"


def test_a_revalidation_costs_no_round_trip_to_redis(client, redis_cache, sent):
    page = client.get("/companies/")
    etag = page["ETag"]
    sent.clear()
    for _ in range(5):
        response = client.get("/companies/", headers={"If-None-Match": etag})
        assert response.status_code == 304
    assert sent == []


def test_a_page_asked_for_again_comes_from_the_process_without_a_round_trip(
    client, redis_cache, sent
):
    assert client.get("/companies/")["X-Cache"] == "miss"
    sent.clear()
    assert client.get("/companies/")["X-Cache"] == "hit"
    assert sent == []


def test_a_page_kept_by_the_process_is_not_served_after_an_edit_elsewhere(client, redis_cache):
    from tests.factories import CompanyFactory

    assert client.get("/companies/")["X-Cache"] == "miss"
    # another process's edit: its rows and its bump of the version reach this one by Redis
    CompanyFactory(name="Added elsewhere")
    redis_cache.set(cache.make_key(DATA_VERSION_KEY), pickle.dumps("after-the-edit"))
    page = client.get("/companies/")
    assert page["X-Cache"] == "miss" and "Added elsewhere" in page.text
