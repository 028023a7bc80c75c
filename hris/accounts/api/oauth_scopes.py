"""OAuth2 scopes per client: an application may only obtain the scopes it was registered with."""

from __future__ import annotations

from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.settings import oauth2_settings

from hris.accounts.models import ApiClient


class ApiClientScopes(SettingsScopes):
    """Applications registered through create_api_client carry their allowed scopes;
    any other application (e.g. one added by hand in the admin) gets none."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:  # noqa: ANN001, ANN002, ANN003
        if application is None:
            # Server metadata documents list every scope the server knows.
            return super().get_available_scopes(application, request, *args, **kwargs)
        allowed = ApiClient.objects.filter(application=application).values_list("allowed_scopes", flat=True).first() or ""
        return [scope for scope in allowed.split() if scope in oauth2_settings.SCOPES]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:  # noqa: ANN001, ANN002, ANN003
        # A token request without `scope` gets everything the client was granted.
        if application is None:
            return super().get_default_scopes(application, request, *args, **kwargs)
        return self.get_available_scopes(application, request)
