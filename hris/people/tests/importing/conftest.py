import pytest


@pytest.fixture
def hr_client(world, client):  # noqa: ANN001, ANN201
    """The company-wide HR admin, logged in."""
    client.force_login(world.user("hr_admin"))
    return client
