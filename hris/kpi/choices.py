from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER_BETTER = "higher_better", _("Higher is better")
    LOWER_BETTER = "lower_better", _("Lower is better")
    TARGET_BAND = "target_band", _("Close to target is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVG = "avg", _("Average")
    LAST = "last", _("Latest value")
    MAX = "max", _("Maximum")
    MIN = "min", _("Minimum")
    COUNT = "count", _("Number of records")
    RATIO = "ratio", _("Ratio of two metrics (%)")


class Category(models.TextChoices):
    RESULT = "result", _("Result")
    PROCESS = "process", _("Process")
    BEHAVIOUR = "behaviour", _("Behaviour")


class Measurement(models.TextChoices):
    QUANTITATIVE = "quantitative", _("Quantitative")
    QUALITATIVE = "qualitative", _("Qualitative")


class MetricLevel(models.TextChoices):
    EMPLOYEE = "employee", _("Employee's own records")
    DEPARTMENT = "department", _("Department records, attributed to members")


class WhenNoData(models.TextChoices):
    MISSING = "missing", _("Not scored (missing data)")
    ZERO = "zero", _("Counts as zero")


class PeriodType(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    ANNUAL = "annual", _("Annual")


class CycleState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    SCORING = "scoring", _("Scoring")
    REVIEW = "review", _("Review")
    CALIBRATION = "calibration", _("Calibration")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


# States in which inputs may still change and scores recompute automatically.
RECOMPUTABLE_STATES = (CycleState.OPEN, CycleState.SCORING, CycleState.REVIEW, CycleState.CALIBRATION)


class AssignmentKind(models.TextChoices):
    DEPARTMENT = "department", _("Department subtree")
    POSITION = "position", _("Position")
    JOB_FAMILY = "job_family", _("Job family")
    EMPLOYEE = "employee", _("Named employee")


# Higher wins when several assignments match one employee.
ASSIGNMENT_SPECIFICITY = {
    AssignmentKind.DEPARTMENT: 1,
    AssignmentKind.JOB_FAMILY: 2,
    AssignmentKind.POSITION: 3,
    AssignmentKind.EMPLOYEE: 4,
}


class ItemStatus(models.TextChoices):
    SCORED = "scored", _("Scored")
    NO_DATA = "no_data", _("No data yet")
    AWAITING_RATINGS = "awaiting_ratings", _("Awaiting ratings")
    ERROR = "error", _("Cannot be scored")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RunKind(models.TextChoices):
    FULL = "full", _("Whole cycle")
    PARTIAL = "partial", _("Affected employees")


class RaterRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    SKIP_LEVEL = "skip_level", _("Skip-level manager")
    PEER = "peer", _("Peer")
    SUBORDINATE = "subordinate", _("Subordinate")
    SELF = "self", _("Self")
    DEPARTMENT = "department", _("Department evaluation")
