"""In-app notifications, notification channels of a company, and channel deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hris.core.events import EVENT_TYPES
from hris.core.models import BaseModel
from hris.core.protected import decrypt_text
from hris.notifications.delivery import DeliveryBase


class Notification(models.Model):
    """One message to one person in the product's notification centre."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    company = models.ForeignKey("org.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("company"))
    event_key = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def event_label(self) -> str:
        event = EVENT_TYPES.get(self.event_key)
        return str(event.label) if event else self.event_key


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")
    FEISHU = "feishu", _("Feishu group robot")


ROBOT_KINDS = (ChannelKind.DINGTALK, ChannelKind.WECOM, ChannelKind.FEISHU)
SIGNING_KINDS = (ChannelKind.DINGTALK, ChannelKind.FEISHU)


class Channel(BaseModel):
    """Where a company's events go besides the notification centre. The robot URL (its
    access token or key is the credential) and the signing secret are stored encrypted;
    pages show only the hints."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="notification_channels", verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    webhook_url_encrypted = models.TextField(blank=True, editable=False)
    webhook_url_hint = models.CharField(_("robot URL"), max_length=300, blank=True, editable=False)
    secret_encrypted = models.TextField(blank=True, editable=False)
    secret_hint = models.CharField(_("signing secret"), max_length=40, blank=True, editable=False)
    event_keys = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="notification_channel_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_robot(self) -> bool:
        return self.kind in ROBOT_KINDS

    def webhook_url(self) -> str:
        return decrypt_text(self.webhook_url_encrypted)

    def secret(self) -> str:
        return decrypt_text(self.secret_encrypted)

    def event_labels(self) -> list[str]:
        return [str(EVENT_TYPES[key].label) for key in self.event_keys if key in EVENT_TYPES]


class Delivery(DeliveryBase):
    """One message through one channel: a robot post, or an email to one person."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("channel"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recipient")
    )
    target = models.CharField(_("sent to"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="channel_delivery_due"),
            models.Index(fields=["company", "-created_at"], name="channel_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.channel}"

    @property
    def event_label(self) -> str:
        event = EVENT_TYPES.get(self.event_key)
        return str(event.label) if event else self.event_key
