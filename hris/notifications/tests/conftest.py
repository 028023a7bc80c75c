from hris.notifications.tests.loopback import loopback  # noqa: F401
