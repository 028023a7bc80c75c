"""The indicator library and template pages: lists, forms, live rule preview, builder, export/import, permissions."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hris.audit.models import AuditEvent
from hris.kpi.choices import AssignmentKind
from hris.kpi.models import CycleAssignment, Indicator, Template, TemplateVersion
from hris.kpi.services.library import library_load_standard
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template

ROW_CODE = re.compile(r'data-indicator-code="([^"]+)"')
MANUAL = {"scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 70, "peer": 30}}
BANDS = {"type": "bands", "comparison": "le", "bands": [{"threshold": 3, "score": 100}, {"threshold": 5, "score": 60}]}


@pytest.fixture
def client_for(world):
    def make(key):
        client = Client()
        if key is not None:
            client.force_login(world.user(key))
        return client

    return make


@pytest.fixture
def line(world):
    """Two indicators and a template (v1: 60 + 40) in ACME."""
    output = make_indicator(world.company, "line-output", name_zh="产线产量", name_en="Line output", default_target=1000)
    defects = make_indicator(world.company, "defect-rate", name_zh="次品率", default_rule=BANDS, tags="制造业,质量部")
    version = make_template(world.company, "line-template", [(output, 60, None, 1000), (defects, 40, BANDS, 3)])
    return {"output": output, "defects": defects, "template": version.template, "v1": version}


def _indicator_post(company, **overrides):
    data = {
        "company": company.pk, "code": "on-time-delivery", "name_zh": "准时交付率", "name_en": "On-time delivery",
        "direction": "higher_better",
        "aggregation": "ratio", "metric_key": "delivered_on_time", "denominator_key": "delivered", "metric_level": "employee",
        "when_no_data": "missing", "category": "result", "measurement": "quantitative", "default_target": "98", "is_active": "on",
        "rule_type": "linear", "rule_spec": '{"cap": 120}',
    }  # fmt: skip
    return data | overrides


def _builder_post(company, rows, **fields):
    data = {"company": company.pk, "code": "assembly", "name_zh": "装配岗", "items-TOTAL_FORMS": len(rows), "items-INITIAL_FORMS": 0}
    for position, (indicator, weight) in enumerate(rows):
        data |= {f"items-{position}-indicator": indicator, f"items-{position}-weight": weight}
    return data | fields


def _preview(client, rule_type, spec, **given):
    query = {"rule_type": rule_type, "rule_spec": spec} | {f"preview_{name}": value for name, value in given.items()}
    response = client.get(reverse("kpi:rule_preview"), query)
    assert response.status_code == 200
    return response.content.decode()


# --- the list ------------------------------------------------------------------------------


def test_the_standard_library_is_listed_over_pages(world, client_for):
    library_load_standard(actor=None, company=world.company)
    client, total = client_for("hr_admin"), Indicator.objects.filter(company=world.company).count()
    first = client.get(reverse("kpi:indicator_list"))
    assert first.status_code == 200 and total >= 120
    assert f'data-total="{total}"' in first.content.decode()
    seen = set()
    for page in range(1, first.context["page"].paginator.num_pages + 1):
        seen.update(ROW_CODE.findall(client.get(reverse("kpi:indicator_list"), {"page": page}).content.decode()))
    assert seen == set(Indicator.objects.filter(company=world.company).values_list("code", flat=True))


def test_filters_search_and_the_page_language(world, client_for, line):
    client = client_for("hr_admin")
    by_tag = client.get(reverse("kpi:indicator_list"), {"tag": "质量部"}).content.decode()
    by_text = client.get(reverse("kpi:indicator_list"), {"q": "产量"}).content.decode()
    assert ROW_CODE.findall(by_tag) == ["defect-rate"] and ROW_CODE.findall(by_text) == ["line-output"]
    Indicator.objects.filter(code="defect-rate").update(is_active=False)
    assert ROW_CODE.findall(client.get(reverse("kpi:indicator_list"), {"active": "1"}).content.decode()) == ["line-output"]
    assert "Line output" in client.get(reverse("kpi:indicator_list")).content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "产线产量" in client.get(reverse("kpi:indicator_list")).content.decode()


def test_the_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    client, counts = client_for("hr_admin"), []
    for size in (10, 150):
        Indicator.objects.all().delete()
        Indicator.objects.bulk_create(
            Indicator(company=world.company, code=f"i-{n}", name_zh=f"指标{n}", default_rule=BANDS, data_source=f"S{n % 7}", tags=f"T{n}")
            for n in range(size)
        )
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("kpi:indicator_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_empty_library_offers_the_standard_library_and_loading_reports_a_summary(world, client_for):
    client = client_for("hr_admin")
    assert 'id="empty-library"' in client.get(reverse("kpi:indicator_list")).content.decode()
    response = client.post(reverse("kpi:library_load_standard"), {"company": world.company.pk}, follow=True)
    created = Indicator.objects.filter(company=world.company).count()
    assert created >= 120 and Template.objects.filter(company=world.company).exists()
    assert f"Standard library loaded: {created} indicators" in response.content.decode()


# --- the indicator form and rule editor ----------------------------------------------------


def test_an_indicator_is_created_through_the_form(world, client_for):
    response = client_for("hr_admin").post(reverse("kpi:indicator_create"), _indicator_post(world.company))
    assert response.status_code == 302
    indicator = Indicator.objects.get(company=world.company, code="on-time-delivery")
    assert (indicator.default_rule, str(indicator.default_target)) == ({"type": "linear", "cap": 120}, "98.0000")


@pytest.mark.parametrize(
    ("rule_type", "spec", "message"),
    [
        ("linear", '{"cap": 120', "The rule is not valid JSON"),
        ("linear", '{"floor": 50, "cap": 10}', "cap: The cap (10) must not be below the floor (50)."),
        ("bands", json.dumps({"comparison": "le", "bands": list(reversed(BANDS["bands"]))}), "bands: For &#x27;le&#x27;"),
        ("magic", "{}", "Choose a rule type"),
    ],
)
def test_a_bad_rule_shows_the_field_error_and_writes_nothing(world, client_for, rule_type, spec, message):
    data = _indicator_post(world.company, rule_type=rule_type, rule_spec=spec)
    response = client_for("hr_admin").post(reverse("kpi:indicator_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Indicator.objects.exists() and not AuditEvent.objects.filter(action="kpi.indicator_created").exists()


def test_an_indicator_is_edited_and_its_rule_shown_in_words(world, client_for, line):
    client = client_for("hr_admin")
    page = client.get(reverse("kpi:indicator_edit", args=[line["defects"].pk])).content.decode()
    assert "≤ 3: 100 points" in page
    response = client.post(reverse("kpi:indicator_edit", args=[line["defects"].pk]), _indicator_post(world.company, code="defect-rate"))
    assert response.status_code == 302
    assert Indicator.objects.get(pk=line["defects"].pk).default_rule == {"type": "linear", "cap": 120}


@pytest.mark.parametrize(
    ("rule_type", "spec", "given", "score"),
    [
        ("linear", '{"floor": 0, "cap": 100}', {"actual": "80", "target": "100"}, "80.00"),
        ("bands", json.dumps({key: value for key, value in BANDS.items() if key != "type"}), {"actual": "2"}, "100.00"),
        ("manual", json.dumps(MANUAL), {"ratings": "manager=4, peer=5"}, "82.50"),
    ],
)
def test_the_rule_preview_scores_exactly(world, client_for, rule_type, spec, given, score):
    content = _preview(client_for("hr_admin"), rule_type, spec, **given)
    assert f'data-score="{score}"' in content and "data-rule-words" in content


@pytest.mark.parametrize(
    ("rule_type", "spec", "given", "message"),
    [
        ("linear", "{not json", {"actual": "1"}, "The rule is not valid JSON"),
        ("magic", "{}", {"actual": "1"}, "Choose a rule type"),
        ("formula", '{"expression": "actual / budget * 100"}', {"actual": "1", "target": "1"}, "budget"),
        ("formula", '{"expression": "actual / (target - 100)"}', {"actual": "5", "target": "100"}, "Division by zero"),
        ("linear", "{}", {"actual": "80", "target": "0"}, "needs a target greater than 0"),
        ("linear", "{}", {"actual": "1e999999", "target": "1e-999999"}, "too large"),
        ("linear", "{}", {"actual": "abc", "target": "100"}, "Enter a number for actual"),
        ("manual", '{"scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 100}}', {"ratings": "manager"}, "role=rating"),
        ("linear", "[" * 5000, {}, "The rule is not valid JSON"),
    ],
)
def test_the_rule_preview_explains_bad_input_and_never_fails(world, client_for, rule_type, spec, given, message):
    content = _preview(client_for("hr_admin"), rule_type, spec, **given)
    assert "data-preview-problems" in content and message in content and "data-score" not in content


# --- templates -----------------------------------------------------------------------------


def test_template_list_and_detail_show_versions_items_and_weights(world, client_for, line):
    client = client_for("prod_head")
    listing = client.get(reverse("kpi:template_list")).content.decode()
    assert 'data-template-code="line-template"' in listing and 'data-weights-total="100"' in listing
    detail = client.get(reverse("kpi:template_detail", args=[line["template"].pk])).content.decode()
    assert 'data-version="1"' in detail and "≤ 3: 100 points" in detail and "data-in-use" not in detail


def test_the_builder_creates_a_template_whose_weights_add_up(world, client_for, line):
    rows = [("line-output", "60"), ("defect-rate", "40")]
    response = client_for("hr_admin").post(reverse("kpi:template_create"), _builder_post(world.company, rows))
    template = Template.objects.get(code="assembly")
    assert response.status_code == 302 and response["Location"] == reverse("kpi:template_detail", args=[template.pk])
    assert sorted(template.versions.get().items.values_list("indicator__code", "weight")) == [("defect-rate", 40), ("line-output", 60)]


def test_the_builder_refuses_weights_that_do_not_add_up_and_writes_nothing(world, client_for, line):
    rows = [("line-output", "60"), ("defect-rate", "30"), ("", "")]
    response = client_for("hr_admin").post(reverse("kpi:template_create"), _builder_post(world.company, rows))
    assert response.status_code == 400
    assert "The weights must add up to exactly 100; they add up to 90." in response.content.decode()
    assert not Template.objects.filter(code="assembly").exists()


def test_the_builder_shows_a_problem_on_its_row(world, client_for, line):
    rows = [("line-output", "abc"), ("defect-rate", "40")]
    response = client_for("hr_admin").post(reverse("kpi:template_create"), _builder_post(world.company, rows))
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors["weight"] == ["“abc” is not a number."]


def test_editing_a_template_a_cycle_uses_saves_version_two(world, client_for, line):
    cycle = make_cycle(world.company)
    CycleAssignment.objects.create(cycle=cycle, template_version=line["v1"], kind=AssignmentKind.DEPARTMENT, department=world.production)
    data = _builder_post(world.company, [("line-output", "50"), ("defect-rate", "50")], code="line-template", name_zh="产线")
    response = client_for("hr_admin").post(reverse("kpi:template_edit", args=[line["template"].pk]), data, follow=True)
    assert "Saved as version 2 because version 1 is used by a cycle." in response.content.decode()
    assert list(TemplateVersion.objects.filter(template=line["template"]).values_list("number", flat=True)) == [2, 1]
    assert sorted(line["v1"].items.values_list("weight", flat=True)) == [40, 60]
    assert "data-in-use" in client_for("hr_admin").get(reverse("kpi:template_detail", args=[line["template"].pk])).content.decode()


# --- export and import ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [("json", "application/json"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
)
def test_export_downloads_the_library_and_is_audited(world, client_for, line, file_format, content_type):
    response = client_for("hr_admin").get(reverse("kpi:library_export"), {"format": file_format})
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)
    assert f".{file_format}" in response["Content-Disposition"] and response.content
    event = AuditEvent.objects.get(action="kpi.library_exported")
    assert (event.actor_id, event.target_id, event.after) == (world.user("hr_admin").pk, str(world.company.pk), {"format": file_format})


def test_importing_a_bad_file_lists_the_problems_and_imports_nothing(world, client_for):
    content = json.dumps({"indicators": [{"code": "x", "name_zh": "", "default_rule": {"type": "magic"}}]}).encode()
    upload = {"company": world.company.pk, "file": _upload("library.json", content)}
    response = client_for("hr_admin").post(reverse("kpi:library_import"), upload)
    assert response.status_code == 400 and 'id="import-problems"' in response.content.decode()
    assert len(response.context["problems"]) >= 2 and not Indicator.objects.exists()


def test_importing_an_exported_file_reports_the_counts(world, client_for, line):
    exported = client_for("hr_admin").get(reverse("kpi:library_export"), {"format": "json"}).content
    response = client_for("other_hr").post(reverse("kpi:library_import"), {"file": _upload("library.json", exported)})
    assert response.status_code == 200 and 'id="import-counts"' in response.content.decode()
    assert response.context["result"].counts["indicators"]["created"] == 2
    assert Template.objects.filter(company=world.other_company, code="line-template").exists()


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- permissions ---------------------------------------------------------------------------

READERS, NON_READERS = ("hr_admin", "hrbp", "ceo", "prod_head"), ("w1_worker", "other_hr")
DENIED_CHANGERS = ("ceo", "hrbp", "other_hr", "prod_head", "w1_worker")


def _refusal(actor, url):
    """Another company's library is not found; without any library access, its pages are forbidden
    and its indicators and templates are not found (as employees outside one's scope)."""
    if actor == "other_hr" or (actor == "w1_worker" and re.search(r"/\d+/", url)):
        return 404
    return 403


def _read_urls(line):
    return [
        reverse("kpi:indicator_list"), reverse("kpi:template_list"), reverse("kpi:template_detail", args=[line["template"].pk]),
        f"{reverse('kpi:library_export')}?format=json",
    ]  # fmt: skip


def _change_urls(line):
    return [
        reverse("kpi:indicator_create"), reverse("kpi:indicator_edit", args=[line["output"].pk]), reverse("kpi:library_import"),
        reverse("kpi:template_create"), reverse("kpi:template_edit", args=[line["template"].pk]),
    ]  # fmt: skip


def test_anonymous_visitors_are_sent_to_the_login_page(world, client_for, line):
    for url in [*_read_urls(line), *_change_urls(line), reverse("kpi:rule_preview"), reverse("kpi:library_load_standard")]:
        response = client_for(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("actor", READERS + NON_READERS)
def test_who_may_read_the_library(world, client_for, line, actor):
    for url in _read_urls(line):
        separator = "&" if "?" in url else "?"
        expected = 200 if actor in READERS else _refusal(actor, url)
        assert client_for(actor).get(f"{url}{separator}company={world.company.pk}").status_code == expected, url
    assert client_for(actor).get(reverse("kpi:rule_preview")).status_code == (403 if actor == "w1_worker" else 200)


@pytest.mark.parametrize("actor", DENIED_CHANGERS)
def test_only_a_company_wide_hr_admin_may_change_the_library(world, client_for, line, actor):
    client = client_for(actor)
    before = (Indicator.objects.count(), Template.objects.count(), TemplateVersion.objects.count(), AuditEvent.objects.count())
    for url in _change_urls(line):
        assert client.get(f"{url}?company={world.company.pk}").status_code == _refusal(actor, url), url
    posts = [
        (reverse("kpi:indicator_create"), _indicator_post(world.company)),
        (reverse("kpi:indicator_edit", args=[line["output"].pk]), _indicator_post(world.company, code="line-output", name_zh="改")),
        (reverse("kpi:template_create"), _builder_post(world.company, [("line-output", "100")])),
        (reverse("kpi:template_edit", args=[line["template"].pk]), _builder_post(world.company, [("line-output", "100")], code="x")),
        (reverse("kpi:library_load_standard"), {"company": world.company.pk}),
        (reverse("kpi:library_import"), {"company": world.company.pk, "file": _upload("l.json", b'{"indicators": []}')}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == _refusal(actor, url), url
    after = (Indicator.objects.count(), Template.objects.count(), TemplateVersion.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert Indicator.objects.get(pk=line["output"].pk).name_zh == "产线产量"


def test_hr_admin_gets_every_changing_page(world, client_for, line):
    for url in _change_urls(line):
        assert client_for("hr_admin").get(url).status_code == 200, url
