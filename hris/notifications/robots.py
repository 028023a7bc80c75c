"""Group robots of DingTalk, WeCom and Feishu, and email: signing, message bodies, sending.

Signing follows the vendors' documentation (test vectors in
/work/shared/fixtures/connectors/README.md, pinned in tests/test_signing.py):

- DingTalk 加签: HMAC-SHA256 keyed with the secret over `timestamp + "\\n" + secret`
  (timestamp in milliseconds), base64, URL-encoded, sent as `&timestamp=…&sign=…`.
- Feishu: HMAC-SHA256 keyed with `timestamp + "\\n" + secret` over an empty message
  (timestamp in seconds), base64, sent as `timestamp` and `sign` in the JSON body.
- WeCom: no signature; the `key` query parameter of the webhook URL is the credential.

A 200 answer can still carry a vendor error (`errcode != 0`, Feishu `code != 0`): that is a
failure with the vendor's message; the vendors' rate-limit codes are retried like HTTP 429.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from hris.notifications.delivery import Outcome, absolute_link, post
from hris.notifications.models import ChannelKind

# Vendor error codes meaning "too many messages, try later".
DINGTALK_RATE_LIMITED = {130101}
WECOM_RATE_LIMITED = {45009, 45033}
FEISHU_RATE_LIMITED = {11232, 9499}
WECOM_TEXT_LIMIT_BYTES = 2048


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Base64 signature (not yet URL-encoded) of DingTalk 加签."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_signed_url(webhook_url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return webhook_url
    separator = "&" if urlsplit(webhook_url).query else "?"
    return f"{webhook_url}{separator}timestamp={timestamp_ms}&sign={quote_plus(dingtalk_sign(secret, timestamp_ms))}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _link_label() -> str:
    return _("Open in Renshi")


def dingtalk_message(title: str, body: str, link: str) -> dict[str, Any]:
    text = (
        f"#### {title}\n\n{body}\n\n[{_link_label()}]({absolute_link(link)})"
        if body
        else f"#### {title}\n\n[{_link_label()}]({absolute_link(link)})"
    )
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def wecom_message(title: str, body: str, link: str) -> dict[str, Any]:
    parts = [title, body, f"{_link_label()}: {absolute_link(link)}"]
    content = "\n".join(part for part in parts if part)
    return {"msgtype": "text", "text": {"content": _truncate_utf8(content, WECOM_TEXT_LIMIT_BYTES)}}


def feishu_message(title: str, body: str, link: str, secret: str, timestamp_s: int) -> dict[str, Any]:
    lines: list[list[dict[str, str]]] = []
    if body:
        lines.append([{"tag": "text", "text": body}])
    lines.append([{"tag": "a", "text": _link_label(), "href": absolute_link(link)}])
    message: dict[str, Any] = {"msg_type": "post", "content": {"post": {"zh_cn": {"title": title, "content": lines}}}}
    if secret:
        message = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **message}
    return message


def _json_body(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _vendor_check(code_field: str, message_field: str, vendor: str, rate_limited: set[int]):  # noqa: ANN202
    def check(response: requests.Response) -> Outcome | None:
        try:
            answer = response.json()
        except ValueError:
            return Outcome(ok=False, error=_("%(vendor)s answered with something that is not JSON.") % {"vendor": vendor})
        if not isinstance(answer, dict) or code_field not in answer:
            return Outcome(ok=False, error=_("%(vendor)s answered without a result code.") % {"vendor": vendor})
        code = answer.get(code_field)
        if code in (0, "0"):
            return None
        message = _("%(vendor)s error %(code)s: %(message)s") % {"vendor": vendor, "code": code, "message": answer.get(message_field, "")}
        return Outcome(ok=False, retryable=code in rate_limited, error=message)

    return check


def send_dingtalk(webhook_url: str, secret: str, title: str, body: str, link: str) -> Outcome:
    url = dingtalk_signed_url(webhook_url, secret, int(time.time() * 1000))
    check = _vendor_check("errcode", "errmsg", "DingTalk", DINGTALK_RATE_LIMITED)
    return post(url, body=_json_body(dingtalk_message(title, body, link)), headers={}, vendor_check=check)


def send_wecom(webhook_url: str, title: str, body: str, link: str) -> Outcome:
    check = _vendor_check("errcode", "errmsg", "WeCom", WECOM_RATE_LIMITED)
    return post(webhook_url, body=_json_body(wecom_message(title, body, link)), headers={}, vendor_check=check)


def send_feishu(webhook_url: str, secret: str, title: str, body: str, link: str) -> Outcome:
    message = feishu_message(title, body, link, secret, int(time.time()))
    check = _vendor_check("code", "msg", "Feishu", FEISHU_RATE_LIMITED)
    return post(webhook_url, body=_json_body(message), headers={}, vendor_check=check)


def send_email(to: str, title: str, body: str, link: str) -> Outcome:
    text = "\n\n".join(part for part in (body, f"{_link_label()}: {absolute_link(link)}") if part)
    message = EmailMessage(subject=title, body=text, from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None), to=[to])
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        return Outcome(ok=False, retryable=False, error=_("The mail server refused the address: %(error)s") % {"error": error})
    except (smtplib.SMTPException, OSError) as error:
        return Outcome(ok=False, retryable=True, error=_("The mail server could not be reached: %(error)s") % {"error": error})
    return Outcome(ok=True)


# Where each vendor's group robots live. Messages carry HR data and the URL carries the robot's
# credential, so they go only there (over HTTPS) or to hosts the operator names in
# RENSHI_ROBOT_EXTRA_HOSTS (a private deployment or a relay; http allowed there).
ROBOT_HOSTS = {
    "dingtalk": ("oapi.dingtalk.com",),
    "wecom": ("qyapi.weixin.qq.com",),
    "feishu": ("open.feishu.cn", "open.larksuite.com"),
}


def _extra_hosts() -> set[str]:
    return {host.strip().lower() for host in getattr(settings, "RENSHI_ROBOT_EXTRA_HOSTS", ()) if host.strip()}


# Checks of the webhook URL HR pastes in: the robots' credentials are part of it.
def url_problem(kind: str, url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return _("Enter a valid URL.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Enter a valid http(s) URL.")
    official = ROBOT_HOSTS.get(kind, ())
    host = parts.hostname.lower()
    if host not in _extra_hosts():
        if official and host not in official:
            return _("A %(kind)s URL points to %(hosts)s; “%(host)s” is not one of them.") % {
                "kind": ChannelKind(kind).label,
                "hosts": ", ".join(official),
                "host": host,
            }
        if official and parts.scheme != "https":
            return _("Use the https:// address the robot's settings show.")
    query = parse_qs(parts.query)
    if kind == "dingtalk" and not query.get("access_token"):
        return _("A DingTalk robot URL contains access_token=…; copy it from the robot's settings.")
    if kind == "wecom" and not query.get("key"):
        return _("A WeCom robot URL contains key=…; copy it from the robot's settings.")
    if kind == "feishu" and "/bot/v2/hook/" not in parts.path:
        return _("A Feishu robot URL looks like …/open-apis/bot/v2/hook/<token>; copy it from the robot's settings.")
    return None


def url_hint(url: str) -> str:
    """What the page shows of a stored robot URL: host and path, the credential masked."""
    parts = urlsplit(url)
    path = parts.path
    if "/hook/" in path:
        head, token = path.rsplit("/hook/", 1)
        path = f"{head}/hook/{secret_hint(token)}"
    query = parse_qs(parts.query)
    shown = ""
    for name in ("access_token", "key"):
        if query.get(name):
            shown = f"?{name}={secret_hint(query[name][0])}"
    return f"{parts.scheme}://{parts.netloc}{path}{shown}"


def secret_hint(secret: str) -> str:
    if not secret:
        return ""
    if len(secret) <= 8:
        return "•" * len(secret)
    return f"{secret[:3]}…{secret[-4:]}"
