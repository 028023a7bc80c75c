import pytest

from hris.core.tests.api.support import (
    _fresh_throttle_counters,  # noqa: F401  (throttle counters cleared around each test)
    token_client,
)


@pytest.fixture
def writer(world):  # noqa: ANN001, ANN201
    """An HR admin's API client holding metrics:write."""
    return token_client(world, "hr_admin", "metrics:write")
