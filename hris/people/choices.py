from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    INTERN = "intern", _("Intern")
    DISPATCHED = "dispatched", _("Dispatched (labour agency)")
    CONTRACTOR = "contractor", _("Contractor")
    RETIREE_REHIRE = "retiree_rehire", _("Re-hired retiree")


class EmployeeStatus(models.TextChoices):
    PROBATION = "probation", _("Probation")
    ACTIVE = "active", _("Active")
    ON_LEAVE = "on_leave", _("On leave")
    TERMINATED = "terminated", _("Terminated")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSPECIFIED = "unspecified", _("Unspecified")


class ContractType(models.TextChoices):
    FIXED_TERM = "fixed_term", _("Fixed-term")
    OPEN_ENDED = "open_ended", _("Open-ended")
    PROJECT = "project", _("Project-based")
    INTERNSHIP = "internship", _("Internship agreement")
    LABOR_SERVICE = "labor_service", _("Labour service agreement")


class EmploymentEventType(models.TextChoices):
    HIRE = "hire", _("Hire")
    PROBATION_PASSED = "probation_passed", _("Probation passed")
    TRANSFER = "transfer", _("Transfer")
    PROMOTION = "promotion", _("Promotion")
    DEMOTION = "demotion", _("Demotion")
    MANAGER_CHANGE = "manager_change", _("Manager change")
    LEAVE_START = "leave_start", _("Leave started")
    LEAVE_END = "leave_end", _("Returned from leave")
    TERMINATION = "termination", _("Termination")
    REHIRE = "rehire", _("Rehire")
