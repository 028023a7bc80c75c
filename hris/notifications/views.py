"""Pages: the notification centre (everyone, own notifications), channels and the channel
delivery log (HR with MANAGE_INTEGRATIONS over the company)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hris.core import errors
from hris.core.events import EVENT_TYPES
from hris.notifications import selectors, services
from hris.notifications.delivery import DeliveryStatus
from hris.notifications.forms import ChannelForm, DeliveryFilterForm, apply_domain_error
from hris.notifications.permissions import managed_companies, may_manage_any

PAGE_SIZE = 25


# ---- notification centre -------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_of(request.user)
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread_only": unread_only, "unread_count": selectors.unread_count(request.user)}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = services.notification_mark_read(actor=request.user, notification_id=pk)
    except errors.NotFound:
        raise Http404("Notification not found.")
    if request.htmx:
        response = render(request, "notifications/_row.html", {"notification": notification})
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("Marked %(count)s notifications as read.") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go where the notification points (paths of this site only)."""
    try:
        notification = services.notification_mark_read(actor=request.user, notification_id=pk)
    except errors.NotFound:
        raise Http404("Notification not found.")
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(link)
    return redirect("notifications:inbox")


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/_badge.html", {"nav_unread_notifications": selectors.unread_count(request.user)})


# ---- channels ---------------------------------------------------------------------------------


def _require_manager(request: HttpRequest) -> list:
    companies = managed_companies(request.user)
    if not may_manage_any(request.user) or not companies:
        raise PermissionDenied
    return companies


def _channel_or_404(request: HttpRequest, pk: int):  # noqa: ANN202
    channel = selectors.channels_visible_to(request.user).filter(pk=pk).first()
    if channel is None:
        raise Http404("Channel not found.")
    return channel


@login_required
def channels(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    rows = list(selectors.channels_visible_to(request.user))
    return render(request, "notifications/channels.html", {"channels": rows, "section": "channels"})


@login_required
def channel_create(request: HttpRequest) -> HttpResponse:
    companies = _require_manager(request)
    form = ChannelForm(request.POST or None, companies=companies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = services.channel_create(
                actor=request.user,
                company=data["company"],
                name=data["name"],
                kind=data["kind"],
                webhook_url=data["webhook_url"],
                secret=data["secret"],
                event_keys=data["event_keys"],
                is_active=data["is_active"],
            )
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The channel “%(name)s” is saved.") % {"name": channel.name})
            return redirect("notifications:channels")
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/channel_form.html", {"form": form, "channel": None, "section": "channels"}, status=status)


@login_required
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    channel = _channel_or_404(request, pk)
    initial = {"name": channel.name, "event_keys": channel.event_keys, "is_active": channel.is_active}
    form = ChannelForm(request.POST or None, companies=[channel.company], channel=channel, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = services.channel_update(
                actor=request.user,
                channel=channel,
                name=data["name"],
                event_keys=data["event_keys"],
                is_active=data["is_active"],
                webhook_url=data.get("webhook_url", ""),
                secret=data.get("secret", ""),
                clear_secret=data.get("clear_secret", False),
            )
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The channel “%(name)s” is saved.") % {"name": channel.name})
            return redirect("notifications:channels")
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/channel_form.html", {"form": form, "channel": channel, "section": "channels"}, status=status)


@login_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    channel = _channel_or_404(request, pk)
    try:
        services.channel_send_test(actor=request.user, channel=channel)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A test message is on its way; its result is in the delivery log."))
    return redirect(f"{_deliveries_url()}?source={channel.pk}")


def _deliveries_url() -> str:
    from django.urls import reverse

    return reverse("notifications:deliveries")


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    rows = selectors.deliveries_visible_to(request.user)
    events = [(key, str(event.label)) for key, event in EVENT_TYPES.items()] + [("notifications.test", _("Test message"))]
    form = DeliveryFilterForm(
        request.GET or None, statuses=DeliveryStatus.choices, sources=selectors.channels_visible_to(request.user), events=events
    )
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["event"]:
            rows = rows.filter(event_key=form.cleaned_data["event"])
        if form.cleaned_data["source"]:
            rows = rows.filter(channel_id=form.cleaned_data["source"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "form": form, "query": query.urlencode(), "section": "deliveries"}
    return render(request, "notifications/deliveries.html", context)


@login_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    delivery = selectors.deliveries_visible_to(request.user).filter(pk=pk).first()
    if delivery is None:
        raise Http404("Delivery not found.")
    try:
        services.delivery_resend(actor=request.user, delivery=delivery)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The message is queued again; the new attempt is at the top of the log."))
    return redirect("notifications:deliveries")
