import json

from django.test import RequestFactory

from hris.core.views import server_error


def test_api_server_error_is_json_in_the_error_format():
    response = server_error(RequestFactory().get("/api/v1/employees/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "code": "server_error",
        "message": "The server could not complete the request; nothing was changed.",
        "errors": {},
    }


def test_page_server_error_is_html():
    response = server_error(RequestFactory().get("/people/"))
    assert response.status_code == 500
    assert "Server error" in response.content.decode()
