import pytest
from django.test import Client

from hris.tests.world import World


@pytest.fixture
def client_for(world: World):  # noqa: ANN201
    """A logged-in test client for a world user (None: anonymous)."""

    def make(key: str | None) -> Client:
        client = Client()
        if key is not None:
            client.force_login(world.user(key))
        return client

    return make
