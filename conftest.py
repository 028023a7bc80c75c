"""Shared fixtures: a small company with a department tree and users for every role."""

import pytest

from hris.tests.world import World, build_world
from tests.e2e.browser import chromium_browser, page  # noqa: F401  (browser fixtures, shared by every browser test)


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    return build_world()


def pytest_collection_modifyitems(items) -> None:  # noqa: ANN001
    """Several role matrices are built from sets, whose order depends on the per-process
    hash seed; pytest-xdist needs every worker to collect the same order."""
    items.sort(key=lambda item: item.nodeid)
