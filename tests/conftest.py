import pytest
from django.contrib.auth.models import Group


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
