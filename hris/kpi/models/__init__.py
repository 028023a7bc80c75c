"""KPI models: the indicator library and templates, cycles, metric data, assessments."""

from .assessments import Assessment, AssessmentItem, ComputationRun, Rating
from .cycles import Cycle, CycleAssignment, CycleWeightOverride, EmployeeWeightOverride, Target
from .library import Indicator, Template, TemplateItem, TemplateVersion
from .metrics import MetricRecord
from .raters import PeerRater, RatingRequest, RatingSettings, RequestState

__all__ = [
    "Assessment",
    "AssessmentItem",
    "ComputationRun",
    "Cycle",
    "CycleAssignment",
    "CycleWeightOverride",
    "EmployeeWeightOverride",
    "Indicator",
    "MetricRecord",
    "PeerRater",
    "Rating",
    "RatingRequest",
    "RatingSettings",
    "RequestState",
    "Target",
    "Template",
    "TemplateItem",
    "TemplateVersion",
]
