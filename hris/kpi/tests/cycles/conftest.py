from hris.kpi.tests.builders import recompute_requests  # noqa: F401
