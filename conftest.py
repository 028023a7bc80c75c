"""Shared fixtures: a small company with a department tree and users for every role."""

import pytest

from hris.tests.world import World, build_world


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    return build_world()
