"""The KPI demo: the standard library, an October cycle in scoring and an open November cycle."""

from decimal import Decimal

import pytest
from django.db import transaction

from hris.audit.verification import verify_audit_chain
from hris.kpi.demo import seed_kpi_demo
from hris.kpi.models import Assessment, AssessmentItem, Cycle, Indicator, Template
from hris.kpi.selectors import assessment_breakdown, assessments_visible_to
from hris.people.demo.seeding import seed_demo_company


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            result = seed_demo_company()
            seed_kpi_demo(result.company, log=lambda message: None)
            yield result.company
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def company(seeded, db):  # noqa: ANN001, ANN201
    return seeded


def test_the_library_and_two_monthly_cycles_are_loaded(company):
    assert Indicator.objects.filter(company=company).count() >= 120
    assert Template.objects.filter(company=company).count() >= 12
    cycles = dict(Cycle.objects.filter(company=company).values_list("name", "state"))
    assert cycles == {"2026年10月 月度考核": "scoring", "2026年11月 月度考核": "open"}


def test_every_current_employee_is_assessed_and_october_is_complete(company):
    october = Cycle.objects.get(company=company, state="scoring")
    assessments = Assessment.objects.filter(cycle=october)
    assert assessments.count() == 501
    assert not assessments.filter(is_complete=False).exists()
    assert not AssessmentItem.objects.filter(assessment__cycle=october).exclude(status="scored").exists()
    totals = [total for total in assessments.values_list("computed_total", flat=True)]
    assert Decimal(40) < min(totals) and max(totals) <= Decimal(120)


def test_middle_managers_are_scored_with_the_manufacturing_template(company):
    october = Cycle.objects.get(company=company, state="scoring")
    managers = Assessment.objects.filter(cycle=october, employee__position__code="workshop-manager")
    assert managers.count() == 3
    assert {assessment.template_version.template.code for assessment in managers} == {"manufacturing-production"}


def test_the_demo_employee_sees_exactly_one_assessment_per_cycle_with_sources(company):
    from django.contrib.auth import get_user_model

    employee_user = get_user_model().objects.get(username="employee")
    own = assessments_visible_to(employee_user)
    assert own.count() == 2
    breakdown = assessment_breakdown(own.get(cycle__state="scoring"))
    measured = [row for row in breakdown["items"] if row["records"]]
    assert measured and all(record.source for row in measured for record in row["records"])


def test_the_audit_chain_still_verifies(company):
    report = verify_audit_chain()
    assert report.ok, report.problem
