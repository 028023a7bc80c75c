from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Land people where their work is: the directory for roles that see others,
    their own profile otherwise."""
    if has_capability(request.user, Capability.EXPORT_EMPLOYEES) or has_capability(request.user, Capability.CHANGE_EMPLOYEES):
        return redirect("people:directory")
    return redirect("people:me")


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the user, across modules (ratings, reviews, approvals, appeals, syncs)."""
    from hris.core.inbox import inbox_tasks

    return render(request, "core/my_tasks.html", {"tasks": inbox_tasks(request.user)})


def server_error(request: HttpRequest) -> HttpResponse:
    """Unexpected errors: JSON in the API's error format under /api/, a plain page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "server_error", "message": gettext("The server could not complete the request; nothing was changed."), "errors": {}},
            status=500,
        )
    return render(request, "500.html", status=500)
