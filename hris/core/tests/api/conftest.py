from hris.core.tests.api.support import _fresh_throttle_counters  # noqa: F401
