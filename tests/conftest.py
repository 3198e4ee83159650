import os

import pytest
from django.contrib.auth.models import Group

from tests import servers


def pytest_configure(config):
    """With TEST_PORT_BASE set, the live server listens on a port of the worker's own.

    An option, not DJANGO_LIVE_TEST_SERVER_ADDRESS: xdist's workers inherit the environment
    of the process that starts them, so they would all take its port.
    """
    if "TEST_PORT_BASE" in os.environ and not config.getoption("liveserver", None):
        config.option.liveserver = f"localhost:{servers.port(servers.LIVE_SERVER)}"


@pytest.fixture
def editor(django_user_model):
    """A staff user in the Editors group, as an editor of the tracker is set up."""
    user = django_user_model.objects.create_user("ed", password="correct-horse-9", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches: a rolled-back test sends no signal to move the data
    version, so pages it cached would otherwise outlive its rows."""
    from django.core.cache import caches

    for name in caches.settings:
        caches[name].clear()
