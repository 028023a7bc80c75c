from hris.core.tests.api.support import _fresh_throttle_counters  # noqa: F401  (throttle counters cleared around each test)
