"""Sending one channel delivery (registered with the shared delivery mechanics as kind "channel")."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hris.notifications import robots
from hris.notifications.delivery import DeliveryKind, Outcome
from hris.notifications.models import ChannelKind, Delivery

KIND = "channel"


def send_channel_delivery(delivery: Delivery) -> Outcome:
    channel = delivery.channel
    if not channel.is_active:
        return Outcome(ok=False, error=_("The channel was switched off before the message was sent."))
    if channel.kind == ChannelKind.EMAIL:
        return robots.send_email(delivery.target, delivery.title, delivery.body, delivery.link)
    url = channel.webhook_url()
    if not url:
        return Outcome(ok=False, error=_("The channel has no robot URL (or it cannot be decrypted with this server's key)."))
    if channel.kind == ChannelKind.DINGTALK:
        return robots.send_dingtalk(url, channel.secret(), delivery.title, delivery.body, delivery.link)
    if channel.kind == ChannelKind.WECOM:
        return robots.send_wecom(url, delivery.title, delivery.body, delivery.link)
    return robots.send_feishu(url, channel.secret(), delivery.title, delivery.body, delivery.link)


CHANNEL_KIND = DeliveryKind(
    label=KIND,
    model=Delivery,
    send=lambda delivery: send_channel_delivery(delivery),
    resend_fields=("channel", "recipient", "target", "title", "body", "link"),
)
