"""KPI library pages: URL patterns (prefixes included), all in the `kpi` namespace."""

urlpatterns: list = []
