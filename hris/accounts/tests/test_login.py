import pytest
from django.db import connection
from django.urls import reverse

from hris.tests.world import PASSWORD


def _login(client, username, password=PASSWORD):  # noqa: ANN001, ANN202
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_with_username(world, client):  # noqa: ANN001
    response = _login(client, "hr_admin")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["hr_admin"].pk)


def test_login_with_email_case_insensitive(world, client):  # noqa: ANN001
    response = _login(client, "HR_ADMIN@acme.example.cn")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["hr_admin"].pk)


def test_wrong_password_shows_error_and_no_session(world, client):  # noqa: ANN001
    response = _login(client, "hr_admin", "wrong")
    assert response.status_code == 200
    assert "The username/email or password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_service_account_cannot_log_in(world, client):  # noqa: ANN001
    user = world.user("recruiter")
    user.is_service_account = True
    user.save()
    assert _login(client, "recruiter").status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_five_failures(world, client):  # noqa: ANN001
    for _attempt in range(5):
        _login(client, "w1_worker", "wrong")
    # Even the right password is refused while locked.
    response = _login(client, "w1_worker")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_site_is_for_superusers_only(world, client):  # noqa: ANN001
    staff = world.user("hr_admin")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302  # sent to the admin login
    client.force_login(world.user("admin"))
    assert client.get("/admin/").status_code == 200


def test_session_and_csrf_settings(settings):  # noqa: ANN001
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert settings.X_FRAME_OPTIONS == "DENY"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite-only pragmas")
@pytest.mark.django_db
def test_sqlite_uses_immediate_transactions_and_busy_timeout(settings):  # noqa: ANN001
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]
