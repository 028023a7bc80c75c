"""The indicator library and templates under /api/v1/kpi/: company data, read by those who
configure KPIs or view scores there."""

from decimal import Decimal

import pytest

from hris.core.tests.api.support import _fresh_throttle_counters, error_body, session_client, token_client  # noqa: F401
from hris.kpi.models import Indicator, Template, TemplateItem, TemplateVersion
from hris.kpi.tests.api import BASE
from hris.kpi.tests.engine.scenario import LINEAR_120, TEAMWORK_MANUAL, indicator, manufacturing

INDICATORS, TEMPLATES = f"{BASE}/indicators/", f"{BASE}/templates/"
ACME_CODES = {"production_efficiency", "defect_rate", "sales_amount", "late_count", "teamwork"}
READERS = {
    "admin": ACME_CODES | {"other_output"},
    "hr_admin": ACME_CODES,
    "hrbp": ACME_CODES,
    "ceo": ACME_CODES,
    "prod_head": ACME_CODES,
    "sales_head": ACME_CODES,
    "w1_worker": set(),  # an employee sees the rules of their own items in their breakdown
    "recruiter": set(),
    "other_hr": {"other_output"},
}


@pytest.fixture
def scenario(world):  # noqa: ANN001, ANN201
    scenario = manufacturing(world)
    indicator(world.other_company, "other_output")
    return scenario


@pytest.mark.parametrize("actor", sorted(READERS))
def test_each_caller_reads_the_libraries_of_its_companies(world, scenario, actor):  # noqa: ANN001
    client = session_client(world, actor)
    assert {row["code"] for row in client.get(INDICATORS).json()["results"]} == READERS[actor]
    templates = {row["code"] for row in client.get(TEMPLATES).json()["results"]}
    reads_acme = READERS[actor] >= ACME_CODES
    assert templates == ({"manufacturing-production"} if reads_acme else set())
    for code in ("production_efficiency", "other_output"):
        response = client.get(f"{INDICATORS}{Indicator.objects.get(code=code).pk}/")
        assert response.status_code == (200 if code in READERS[actor] else 404), code
    response = client.get(f"{TEMPLATES}{scenario.version.template_id}/")
    assert response.status_code == (200 if reads_acme else 404)


def test_token_clients_need_kpi_read(world, scenario):  # noqa: ANN001
    assert {row["code"] for row in token_client(world, "hr_admin", "kpi:read").get(INDICATORS).json()["results"]} == ACME_CODES
    response = token_client(world, "hr_admin", "org:read").get(TEMPLATES)
    assert (response.status_code, error_body(response)["code"]) == (403, "insufficient_scope")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "defect"}, {"defect_rate"}),
        ({"q": "效率"}, {"production_efficiency"}),
        ({"measurement": "qualitative"}, {"teamwork"}),
        ({"category": "process"}, {"late_count"}),
        ({"active": "false"}, {"sales_amount"}),
        ({"active": "true", "measurement": "quantitative"}, {"production_efficiency", "defect_rate", "late_count"}),
    ],
)
def test_indicator_filters(world, scenario, params, expected):  # noqa: ANN001
    Indicator.objects.filter(code="production_efficiency").update(name_zh="生产效率")
    Indicator.objects.filter(code="late_count").update(category="process")
    Indicator.objects.filter(code="sales_amount").update(is_active=False)
    response = session_client(world, "hr_admin").get(INDICATORS, params)
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == expected


def test_indicator_filter_with_an_unknown_choice_is_400(world, scenario):  # noqa: ANN001
    response = session_client(world, "hr_admin").get(INDICATORS, {"measurement": "guesswork"})
    assert response.status_code == 400
    assert error_body(response)["errors"] == {"measurement": ['"guesswork" is not a valid choice.']}


def test_indicator_detail_has_its_default_rule_in_words(world, scenario):  # noqa: ANN001
    Indicator.objects.filter(code="teamwork").update(name_en="Teamwork", default_target=Decimal("4.5000"))
    body = session_client(world, "prod_head").get(f"{INDICATORS}{scenario.indicators['teamwork'].pk}/").json()
    assert (body["code"], body["name"], body["measurement"], body["default_target"]) == ("teamwork", "Teamwork", "qualitative", "4.5")
    assert body["default_rule"] == TEAMWORK_MANUAL
    assert body["default_rule_in_words"] == ("ratings on a 1–5 scale mapped linearly to 0–100 points; rater weights: manager 70%, peer 30%")


def _second_version(scenario) -> TemplateVersion:  # noqa: ANN001
    version = TemplateVersion.objects.create(template_id=scenario.version.template_id, number=2, note="更重效率")
    for order, (key, weight) in enumerate((("efficiency", "60"), ("quality", "40"))):
        TemplateItem.objects.create(
            version=version, indicator=scenario.indicators[key], weight=Decimal(weight), rule=LINEAR_120, target=Decimal("95"), order=order
        )
    return version


def test_template_list_shows_the_current_version(world, scenario):  # noqa: ANN001
    _second_version(scenario)
    Template.objects.create(company=world.company, code="empty", name_zh="空模板")
    rows = session_client(world, "hr_admin").get(TEMPLATES).json()["results"]
    assert [(row["code"], row["current_version"]) for row in rows] == [("empty", None), ("manufacturing-production", 2)]


def test_template_detail_shows_the_current_version_or_the_one_asked_for(world, scenario):  # noqa: ANN001
    _second_version(scenario)
    client = session_client(world, "hr_admin")
    url = f"{TEMPLATES}{scenario.version.template_id}/"

    current = client.get(url).json()
    assert (current["version"], current["version_note"], current["versions"]) == (2, "更重效率", [2, 1])
    assert [(item["indicator"]["code"], item["weight"], item["target"]) for item in current["items"]] == [
        ("production_efficiency", "60.00", "95"),
        ("defect_rate", "40.00", "95"),
    ]

    first = client.get(url, {"version": 1}).json()
    assert first["version"] == 1
    assert [(item["indicator"]["code"], item["weight"], item["target"]) for item in first["items"]] == [
        ("production_efficiency", "30.00", "100"),
        ("defect_rate", "25.00", "1"),
        ("sales_amount", "20.00", "500000"),
        ("late_count", "10.00", None),
        ("teamwork", "15.00", None),
    ]
    assert first["items"][1]["rule_in_words"] == "≤ 1: 100 points; 1–2: 80 points; otherwise 50 points"
    assert first["items"][1]["rule"]["type"] == "bands"


@pytest.mark.parametrize(
    ("version", "status", "code"), [("9", 404, "not_found"), ("0", 400, "validation_error"), ("x", 400, "validation_error")]
)
def test_template_detail_with_an_unknown_or_bad_version(world, scenario, version, status, code):  # noqa: ANN001
    response = session_client(world, "hr_admin").get(f"{TEMPLATES}{scenario.version.template_id}/", {"version": version})
    assert (response.status_code, error_body(response)["code"]) == (status, code)


def test_template_without_versions_has_no_items(world, scenario):  # noqa: ANN001
    empty = Template.objects.create(company=world.company, code="empty", name_zh="空模板")
    body = session_client(world, "hr_admin").get(f"{TEMPLATES}{empty.pk}/").json()
    assert (body["current_version"], body["version"], body["versions"], body["items"]) == (None, None, [], [])
