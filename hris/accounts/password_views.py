"""Changing one's own password (Django's view, our template and message)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("people:me")

    def form_valid(self, form):  # noqa: ANN001, ANN201
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
