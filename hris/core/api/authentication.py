"""Bearer-token authentication where a system integration acts as its service account."""

from __future__ import annotations

from django.utils.translation import gettext as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions


class ServiceAccountOAuth2Authentication(OAuth2Authentication):
    """A client-credentials token has no user; it acts as the owner of its application,
    a service account whose role grants give the data scope the selectors apply."""

    def authenticate(self, request):  # noqa: ANN001, ANN201
        result = super().authenticate(request)
        if result is None:
            if _sends_bearer_token(request):
                # Say so instead of falling through to "no credentials": the client did send some.
                raise exceptions.AuthenticationFailed(_("The access token is invalid or has expired."), code="invalid_token")
            return None
        user, token = result
        if user is None:
            owner = token.application.user if token.application_id else None
            if owner is None or not owner.is_active or not owner.is_service_account:
                raise exceptions.AuthenticationFailed(_("This API client has no active service account."), code="invalid_client")
            user = owner
        elif not user.is_active:
            raise exceptions.AuthenticationFailed(_("The user of this token is inactive."), code="invalid_token")
        return user, token


def _sends_bearer_token(request) -> bool:  # noqa: ANN001
    return request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer ")
