"""The OpenAPI schema generates without warnings, validates, and documents the contract."""

from io import StringIO

import yaml
from django.core.management import call_command


def test_schema_generates_without_warnings_and_validates(tmp_path):  # noqa: ANN001
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=StringIO(), stderr=StringIO())
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert sorted(path for path in schema["paths"]) == [
        "/api/v1/audit-events/",
        "/api/v1/audit-events/{sequence}/",
        "/api/v1/branches/",
        "/api/v1/branches/{id}/",
        "/api/v1/calibration/cycles/{id}/distribution/",
        "/api/v1/companies/",
        "/api/v1/companies/{id}/",
        "/api/v1/connector-runs/",
        "/api/v1/connector-runs/{id}/",
        "/api/v1/connectors/",
        "/api/v1/connectors/{id}/",
        "/api/v1/connectors/{id}/run/",
        "/api/v1/departments/",
        "/api/v1/departments/{id}/",
        "/api/v1/departments/{id}/close/",
        "/api/v1/departments/{id}/move/",
        "/api/v1/employees/",
        "/api/v1/employees/{id}/",
        "/api/v1/employees/{id}/confirm_probation/",
        "/api/v1/employees/{id}/terminate/",
        "/api/v1/external-identities/",
        "/api/v1/external-identities/bulk/",
        "/api/v1/external-identities/{id}/",
        "/api/v1/kpi/assessments/",
        "/api/v1/kpi/assessments/{id}/",
        "/api/v1/kpi/assessments/{id}/what-if/",
        "/api/v1/kpi/computation-runs/{id}/",
        "/api/v1/kpi/cycles/",
        "/api/v1/kpi/cycles/{id}/",
        "/api/v1/kpi/cycles/{id}/compute/",
        "/api/v1/kpi/indicators/",
        "/api/v1/kpi/indicators/{id}/",
        "/api/v1/kpi/my-ratings/",
        "/api/v1/kpi/my-ratings/{id}/",
        "/api/v1/kpi/my-ratings/{id}/submit/",
        "/api/v1/kpi/templates/",
        "/api/v1/kpi/templates/{id}/",
        "/api/v1/metrics/batches/",
        "/api/v1/metrics/batches/{batch_id}/",
        "/api/v1/notifications/",
        "/api/v1/notifications/read-all/",
        "/api/v1/notifications/{id}/read/",
        "/api/v1/positions/",
        "/api/v1/positions/{id}/",
        "/api/v1/reviews/appeals/",
        "/api/v1/reviews/appeals/{id}/resolve/",
        "/api/v1/reviews/assessments/{assessment_pk}/adjustments/",
        "/api/v1/reviews/cycles/{id}/status/",
        "/api/v1/reviews/cycles/{id}/transitions/",
        "/api/v1/reviews/results/{id}/",
        "/api/v1/reviews/results/{id}/acknowledge/",
        "/api/v1/reviews/results/{id}/appeal/",
        "/api/v1/webhooks/deliveries/",
        "/api/v1/webhooks/deliveries/{id}/",
        "/api/v1/webhooks/deliveries/{id}/redeliver/",
        "/api/v1/webhooks/subscriptions/",
        "/api/v1/webhooks/subscriptions/{id}/",
        "/api/v1/webhooks/subscriptions/{id}/rotate-secret/",
        "/api/v1/webhooks/subscriptions/{id}/test/",
    ]


def test_schema_endpoint_documents_scopes_errors_and_masking(db, client):  # noqa: ANN001
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    oauth = schema["components"]["securitySchemes"]["oauth2"]
    assert oauth["flows"]["clientCredentials"]["tokenUrl"] == "/o/token/"
    assert {"org:read", "org:write", "employees:read", "employees:write"} <= set(oauth["flows"]["clientCredentials"]["scopes"])
    employees = schema["paths"]["/api/v1/employees/"]
    assert employees["get"]["security"][0] == {"oauth2": ["employees:read"]}
    assert employees["post"]["security"][0] == {"oauth2": ["employees:write"]}
    assert schema["paths"]["/api/v1/departments/{id}/move/"]["post"]["security"][0] == {"oauth2": ["org:write"]}
    assert set(employees["post"]["responses"]) == {"201", "400", "401", "403", "409", "429"}
    assert employees["post"]["responses"]["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ApiError"}
    assert set(schema["components"]["schemas"]["ApiError"]["required"]) == {"code", "message", "errors"}
    assert {"q", "department", "include_subdepartments", "branch", "position", "status", "employment_type", "page", "page_size"} == {
        parameter["name"] for parameter in employees["get"]["parameters"]
    }
    employee_fields = schema["components"]["schemas"]["Employee"]["properties"]
    assert "id_number_encrypted" not in employee_fields and "id_number" in employee_fields
    assert "id_number" in schema["components"]["schemas"]["EmployeeCreateRequest"]["properties"]


def test_interactive_docs_are_served(db, client):  # noqa: ANN001
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert client.get("/api/redoc/").status_code == 200
