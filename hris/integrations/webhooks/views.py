"""Pages under /integrations/webhooks/: subscriptions (secret shown once), test events, the
delivery log with response codes and manual redelivery. HR with MANAGE_INTEGRATIONS only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hris.core import errors
from hris.core.events import EVENT_TYPES
from hris.core.protected import stash_secret_for_next_page, take_stashed_secret
from hris.integrations.webhooks import selectors, services
from hris.integrations.webhooks.forms import SubscriptionForm
from hris.integrations.webhooks.models import TEST_EVENT
from hris.notifications.delivery import DeliveryStatus
from hris.notifications.forms import DeliveryFilterForm, apply_domain_error
from hris.notifications.permissions import managed_companies

PAGE_SIZE = 25
# The new secret waits in the session for the one page view that shows it.
SESSION_SECRET_KEY = "webhook_secret_once"


def _require_manager(request: HttpRequest) -> list:
    companies = managed_companies(request.user)
    if not companies:
        raise PermissionDenied
    return companies


def _subscription_or_404(request: HttpRequest, pk: int):  # noqa: ANN202
    subscription = selectors.subscriptions_visible_to(request.user).filter(pk=pk).first()
    if subscription is None:
        raise Http404("Subscription not found.")
    return subscription


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    rows = list(selectors.subscriptions_visible_to(request.user))
    return render(request, "webhooks/list.html", {"subscriptions": rows, "section": "subscriptions"})


@login_required
def subscription_create(request: HttpRequest) -> HttpResponse:
    companies = _require_manager(request)
    form = SubscriptionForm(request.POST or None, companies=companies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription, secret = services.subscription_create(
                actor=request.user,
                company=data["company"],
                name=data["name"],
                target_url=data["target_url"],
                event_keys=data["event_keys"],
                is_active=data["is_active"],
            )
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            apply_domain_error(form, error)
        else:
            stash_secret_for_next_page(request.session, SESSION_SECRET_KEY, secret, subscription=subscription.pk)
            return redirect("webhooks:detail", pk=subscription.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "webhooks/form.html", {"form": form, "subscription": None, "section": "subscriptions"}, status=status)


@login_required
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    subscription = _subscription_or_404(request, pk)
    initial = {
        "name": subscription.name,
        "target_url": subscription.target_url,
        "event_keys": subscription.event_keys,
        "is_active": subscription.is_active,
    }
    form = SubscriptionForm(request.POST or None, companies=[subscription.company], subscription=subscription, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription = services.subscription_update(
                actor=request.user,
                subscription=subscription,
                name=data["name"],
                target_url=data["target_url"],
                event_keys=data["event_keys"],
                is_active=data["is_active"],
            )
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The subscription “%(name)s” is saved.") % {"name": subscription.name})
            return redirect("webhooks:detail", pk=subscription.pk)
    shown = take_stashed_secret(request.session, SESSION_SECRET_KEY, subscription=subscription.pk)
    new_secret = shown["secret"] if shown else None
    recent = selectors.deliveries_visible_to(request.user).filter(subscription=subscription)[:10]
    context = {"form": form, "subscription": subscription, "new_secret": new_secret, "recent": recent, "section": "subscriptions"}
    response = render(request, "webhooks/detail.html", context, status=400 if request.method == "POST" else 200)
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def subscription_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    subscription = _subscription_or_404(request, pk)
    try:
        secret = services.subscription_rotate_secret(actor=request.user, subscription=subscription)
    except errors.PermissionDenied:
        raise PermissionDenied
    stash_secret_for_next_page(request.session, SESSION_SECRET_KEY, secret, subscription=subscription.pk)
    messages.success(request, _("A new secret is in effect; the old one no longer verifies deliveries."))
    return redirect("webhooks:detail", pk=subscription.pk)


@login_required
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    subscription = _subscription_or_404(request, pk)
    try:
        services.subscription_delete(actor=request.user, subscription=subscription)
    except errors.PermissionDenied:
        raise PermissionDenied
    messages.success(request, _("The subscription “%(name)s” and its delivery log are deleted.") % {"name": subscription.name})
    return redirect("webhooks:list")


@login_required
@require_POST
def subscription_test(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    subscription = _subscription_or_404(request, pk)
    try:
        services.subscription_send_test(actor=request.user, subscription=subscription)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A test event is on its way; its result is in the delivery log."))
    return redirect(f"{reverse('webhooks:deliveries')}?source={subscription.pk}")


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    rows = selectors.deliveries_visible_to(request.user)
    events = [(key, str(event.label)) for key, event in EVENT_TYPES.items() if event.webhook] + [(TEST_EVENT, _("Test event"))]
    form = DeliveryFilterForm(
        request.GET or None,
        statuses=DeliveryStatus.choices,
        sources=selectors.subscriptions_visible_to(request.user),
        events=events,
        source_label=_("Subscription"),
    )
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["event"]:
            rows = rows.filter(event_key=form.cleaned_data["event"])
        if form.cleaned_data["source"]:
            rows = rows.filter(subscription_id=form.cleaned_data["source"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "webhooks/deliveries.html", {"page": page, "form": form, "query": query.urlencode(), "section": "deliveries"})


@login_required
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    delivery = selectors.deliveries_visible_to(request.user).filter(pk=pk).first()
    if delivery is None:
        raise Http404("Delivery not found.")
    return render(request, "webhooks/delivery_detail.html", {"delivery": delivery, "section": "deliveries"})


@login_required
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    delivery = selectors.deliveries_visible_to(request.user).filter(pk=pk).first()
    if delivery is None:
        raise Http404("Delivery not found.")
    try:
        copy = services.delivery_redeliver(actor=request.user, delivery=delivery)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        messages.error(request, error.message)
        return redirect("webhooks:delivery_detail", pk=delivery.pk)
    messages.success(request, _("Redelivery queued as a new delivery."))
    return redirect("webhooks:delivery_detail", pk=copy.pk)
