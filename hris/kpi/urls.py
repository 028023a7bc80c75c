"""KPI pages under /kpi/: the library and templates, cycles and metric data, scores."""

from hris.kpi.urls_cycles import urlpatterns as cycle_patterns
from hris.kpi.urls_library import urlpatterns as library_patterns
from hris.kpi.urls_ratings import urlpatterns as rating_patterns
from hris.kpi.urls_scores import urlpatterns as score_patterns

app_name = "kpi"
urlpatterns = [*score_patterns, *library_patterns, *cycle_patterns, *rating_patterns]
