from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Land people where their work is: the directory for roles that see others,
    their own profile otherwise."""
    if has_capability(request.user, Capability.EXPORT_EMPLOYEES) or has_capability(request.user, Capability.CHANGE_EMPLOYEES):
        return redirect("people:directory")
    return redirect("people:me")
