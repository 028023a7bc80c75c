"""The rater workflow of qualitative indicators: per-cycle rating settings and the rating
requests (one assigned rater × one assessment × one rated indicator)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel
from hris.kpi.choices import RaterRole


class RatingSettings(BaseModel):
    """How a cycle collects ratings: the deadline, peer anonymity and when reminders start."""

    cycle = models.OneToOneField("kpi.Cycle", on_delete=models.CASCADE, related_name="rating_settings", verbose_name=_("cycle"))
    due_date = models.DateField(_("rating deadline"))
    anonymous_peers = models.BooleanField(_("anonymous peer feedback"), default=True)
    reminder_days_before = models.PositiveSmallIntegerField(_("remind this many days before the deadline"), default=3)
    # Up to this many same-department colleagues are asked as peers when no peers were chosen (0 = only chosen peers).
    department_peers = models.PositiveSmallIntegerField(_("same-department peers when none are chosen"), default=0)

    class Meta:
        verbose_name = _("rating settings")
        verbose_name_plural = _("rating settings")

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.due_date}"


class PeerRater(BaseModel):
    """A colleague chosen (by HR or a manager) to rate an employee as a peer in one cycle."""

    cycle = models.ForeignKey("kpi.Cycle", on_delete=models.CASCADE, related_name="peer_raters", verbose_name=_("cycle"))
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+", verbose_name=_("employee rated"))
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("peer"))
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("peer rater")
        verbose_name_plural = _("peer raters")
        constraints = [models.UniqueConstraint(fields=["cycle", "employee", "rater"], name="peer_rater_once")]


class RequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUBMITTED = "submitted", _("Submitted")


class RatingRequest(BaseModel):
    cycle = models.ForeignKey("kpi.Cycle", on_delete=models.CASCADE, related_name="rating_requests", verbose_name=_("cycle"))
    assessment = models.ForeignKey(
        "kpi.Assessment", on_delete=models.CASCADE, related_name="rating_requests", verbose_name=_("assessment"), db_index=False
    )
    indicator = models.ForeignKey("kpi.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rating_requests", verbose_name=_("rater"))
    rater_role = models.CharField(_("rater role"), max_length=16, choices=RaterRole.choices)
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    rating = models.OneToOneField(
        "kpi.Rating", on_delete=models.SET_NULL, null=True, blank=True, related_name="request", verbose_name=_("rating given")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)

    class Meta:
        verbose_name = _("rating request")
        verbose_name_plural = _("rating requests")
        ordering = ["due_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator", "rater"], name="rating_request_once_per_rater")]
        indexes = [models.Index(fields=["rater", "state", "due_date"]), models.Index(fields=["cycle", "state"])]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id} ← {self.rater_id} ({self.rater_role})"
