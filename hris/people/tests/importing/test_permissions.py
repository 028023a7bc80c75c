"""Who may import: denied users get 403 and nothing is written; jobs are private."""

from datetime import date

import pytest

from hris.people.models_import import ImportJob
from hris.people.tests.importing.helpers import EMPLOYEE_HEADERS_ZH, commit, latest_job, snapshot, upload, xlsx_bytes

CLEAN_FILE = [EMPLOYEE_HEADERS_ZH, ["A1001", "张三", "一车间", date(2024, 3, 1)]]


@pytest.mark.parametrize("user", ["w1_worker", "prod_head", "ceo", "recruiter"])
def test_users_without_the_import_capability_are_refused(world, client, user):
    client.force_login(world.user(user))
    before = snapshot()
    assert client.get("/people/import/").status_code == 403
    assert upload(client, xlsx_bytes(CLEAN_FILE)).status_code == 403
    assert client.get("/people/import/template/employees.xlsx").status_code == 403
    assert ImportJob.objects.count() == 0
    assert snapshot() == before


def test_hrbp_imports_into_their_branch_but_not_elsewhere(world, client):
    # Given the HRBP of 苏州工厂, when they upload one row for 一车间 (plant) and one for 销售部 (HQ)
    client.force_login(world.user("hrbp"))
    rows = [EMPLOYEE_HEADERS_ZH, ["A1001", "张三", "一车间", date(2024, 3, 1)], ["A1002", "李四", "销售部", date(2024, 3, 1)]]
    before = snapshot()
    assert upload(client, xlsx_bytes(rows)).status_code in {200, 302}
    job = latest_job()
    # Then the HQ row is a row error and nothing is written
    assert job.error_count == 1
    assert [row_number for row_number, _messages in job.errors["rows"]] == [3]
    assert snapshot() == before


def test_someone_elses_job_is_not_found_and_cannot_be_committed(world, client):
    client.force_login(world.user("hr_admin"))
    upload(client, xlsx_bytes(CLEAN_FILE))
    job = latest_job()
    client.force_login(world.user("other_hr"))  # HR admin of the other company
    before = snapshot()
    assert client.get(f"/people/import/{job.pk}/").status_code == 404
    assert client.get(f"/people/import/{job.pk}/errors.xlsx").status_code == 404
    assert commit(client, job).status_code == 404
    assert snapshot() == before


def test_importer_whose_rights_were_withdrawn_cannot_commit(world, client):
    client.force_login(world.user("hr_admin"))
    upload(client, xlsx_bytes(CLEAN_FILE))
    job = latest_job()
    world.users["hr_admin"].role_assignments.all().delete()
    before = snapshot()
    assert commit(client, job).status_code == 403
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    response = client.get("/people/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/people/export/").status_code == 302


def test_department_import_needs_the_organisation_capability(world, client):
    # other_hr is HR admin (with CHANGE_ORG) of the other company only: importing departments
    # into ACME is refused because ACME is not among their companies
    client.force_login(world.user("other_hr"))
    response = upload(client, xlsx_bytes([["部门编码", "部门名称"], ["x", "某部门"]]), kind="departments", company=world.company)
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_directory_shows_import_and_export_buttons_to_those_who_may(world, client):
    client.force_login(world.user("hr_admin"))
    page = client.get("/people/?status=active").content.decode()
    assert 'id="import-employees"' in page
    assert 'href="/people/export/?status=active"' in page
    client.force_login(world.user("prod_head"))
    page = client.get("/people/").content.decode()
    assert 'id="import-employees"' not in page
    assert 'id="export-employees"' in page
    client.force_login(world.user("w1_worker"))
    page = client.get("/people/").content.decode()
    assert 'id="export-employees"' not in page
