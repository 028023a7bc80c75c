from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _


def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error format, not with an HTML page."""
    return JsonResponse({"code": "not_found", "message": _("No such API endpoint."), "errors": {}}, status=404)
