from django.contrib.auth import views as auth_views
from django.urls import path

from hris.accounts import views
from hris.accounts.forms import LoginForm
from hris.accounts.password_views import PasswordChangeView

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("roles/", views.roles, name="roles"),
    path("roles/grant/", views.role_grant, name="role_grant"),
    path("roles/<int:assignment_id>/revoke/", views.role_revoke, name="role_revoke"),
]
