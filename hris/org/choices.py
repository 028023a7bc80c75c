from django.db import models
from django.utils.translation import gettext_lazy as _


class JobFamily(models.TextChoices):
    MANAGEMENT = "management", _("Management")
    PRODUCTION = "production", _("Production")
    QUALITY = "quality", _("Quality")
    ENGINEERING = "engineering", _("Engineering / maintenance")
    RESEARCH = "research", _("Research and development")
    SALES = "sales", _("Sales")
    PROCUREMENT = "procurement", _("Procurement")
    FINANCE = "finance", _("Finance")
    HR_ADMIN = "hr_admin", _("HR and administration")
    SUPPORT = "support", _("Support")
