from __future__ import annotations

import pytest
from django.core.cache import cache

from hris.integrations.connectors import engine
from hris.integrations.connectors.tests.replay import ReplayServer


@pytest.fixture
def replay():  # noqa: ANN201
    server = ReplayServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fast_retries(settings):  # noqa: ANN001, ANN201
    """Short backoff and timeouts, so retry cases take milliseconds; no token survives a test."""
    settings.RENSHI_CONNECTOR_RETRIES = 2
    settings.RENSHI_CONNECTOR_BACKOFF = 0.01
    settings.RENSHI_CONNECTOR_TIMEOUT = 2
    cache.clear()
    yield
    engine.after_page_committed = None
    cache.clear()
