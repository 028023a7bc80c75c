"""Every route answers an anonymous visitor with a login redirect (pages) or 401 (API),
except the few that are public on purpose. A new view that forgets its protection fails here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_ROUTES = {
    "i18n/setlang/",  # the language switch on the login page
    "jsi18n/",
    "accounts/login/",
    "accounts/logout/",
    "api/schema/",  # the API description and its docs are public for integrators
    "api/docs/",
    "api/redoc/",
    "o/token/",  # OAuth2 endpoints authenticate the client themselves
    "o/revoke_token/",
    "o/introspect/",
}
SAMPLE_VALUES = {"int": "1", "str": "employees", "slug": "x", "path": "x", "uuid": "7d1e0c36-7f0f-4a55-9a53-6f4b0f5c2a11"}


def _routes(patterns, prefix: str = ""):  # noqa: ANN001, ANN202
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _concrete(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda match: SAMPLE_VALUES.get(match.group(1) or "str", "1"), route)


PROTECTED = sorted(
    route
    for route in _routes(get_resolver().url_patterns)
    if route not in PUBLIC_ROUTES and not route.startswith(("admin/", "^api/")) and "(?" not in route
)


def test_the_route_list_is_not_empty():
    assert len(PROTECTED) > 40


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROTECTED)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_turned_away(client, route, method):  # noqa: ANN001
    url = _concrete(route)
    response = getattr(client, method)(url)
    if url.startswith("/api/"):
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"
    elif response.status_code == 405:
        pass  # the method is not offered at all
    else:
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/o/applications/", "/o/applications/register/", "/o/register/", "/o/authorize/", "/o/device/"])
def test_unused_oauth2_endpoints_are_not_exposed(admin_client, url):  # noqa: ANN001
    # Even a superuser cannot register OAuth2 applications behind create_api_client's back.
    assert admin_client.get(url).status_code == 404
