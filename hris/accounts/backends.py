from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrEmailBackend(ModelBackend):
    """Log in with the username or the email address; service accounts cannot log in."""

    def authenticate(self, request, username=None, password=None, **kwargs):  # noqa: ANN001, ANN003
        if username is None or password is None:
            return None
        user_model = get_user_model()
        candidates = list(user_model.objects.filter(Q(username__iexact=username) | Q(email__iexact=username))[:2])
        if len(candidates) != 1:
            # Run the hasher anyway so unknown and ambiguous logins take as long as known ones.
            user_model().set_password(password)
            return None
        user = candidates[0]
        if user.is_service_account:
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
