"""The employee directory: scope, search, filters, paging, masking, htmx and query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hris.people.choices import EmployeeStatus, EmploymentType
from hris.people.models import Employee
from hris.people.tests.views.helpers import listed_keys
from hris.tests.factories import EmployeeFactory
from hris.tests.world import VISIBLE_EMPLOYEES

DIRECTORY = "/people/"


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_directory_lists_exactly_the_actors_scope(world, client_for, actor):
    # Given the world's grants, when an actor opens the directory
    response = client_for(actor).get(DIRECTORY)
    # then exactly the employees in its scope are listed, and the total says so.
    assert response.status_code == 200
    assert listed_keys(world, response) == VISIBLE_EMPLOYEES[actor]
    assert response.context["total"] == len(VISIBLE_EMPLOYEES[actor])
    assert f'data-total="{len(VISIBLE_EMPLOYEES[actor])}"' in response.content.decode()


@pytest.mark.parametrize(
    "url_name, kwargs",
    [
        ("people:directory", False), ("people:me", False), ("people:create", False), ("people:detail", True), ("people:edit", True),
        ("people:terminate", True), ("people:contract_add", True), ("people:confirm_probation", True),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(world, client_for, url_name, kwargs):
    # Given no login, when any people page is requested
    url = reverse(url_name, args=[world.employees["w1_worker"].pk] if kwargs else [])
    response = client_for(None).get(url)
    # then the answer is a redirect to the login page that comes back here.
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("李工人", {"w1_worker"}),
        ("工人", {"w1_worker", "w2_worker"}),
        ("w1_lead@acme", set()),  # the world's users have emails, but search looks at employee emails
        ("nobody-matches", set()),
    ],
)
def test_search_matches_names(world, client_for, text, expected):
    response = client_for("hr_admin").get(DIRECTORY, {"q": text})
    assert listed_keys(world, response) == expected


def test_search_matches_employee_number_and_email(world, client_for):
    worker = world.employee("w2_worker")
    by_number = client_for("hr_admin").get(DIRECTORY, {"q": worker.employee_number})
    by_email = client_for("hr_admin").get(DIRECTORY, {"q": worker.email.upper()})
    assert listed_keys(world, by_number) == {"w2_worker"}
    assert listed_keys(world, by_email) == {"w2_worker"}


def test_search_never_widens_the_scope(world, client_for):
    # Given a department manager, when it searches for someone outside its subtree, nothing comes back.
    response = client_for("prod_head").get(DIRECTORY, {"q": "郑业务"})
    assert listed_keys(world, response) == set()


def test_department_filter_includes_sub_departments(world, client_for):
    response = client_for("hr_admin").get(DIRECTORY, {"department": world.production.pk})
    assert listed_keys(world, response) == {"prod_head", "w1_lead", "w1_worker", "w2_worker"}


def test_branch_position_status_and_type_filters(world, client_for):
    Employee.objects.filter(pk=world.employees["w2_worker"].pk).update(status=EmployeeStatus.ON_LEAVE)
    Employee.objects.filter(pk=world.employees["sales_rep"].pk).update(employment_type=EmploymentType.INTERN)
    client = client_for("hr_admin")
    assert listed_keys(world, client.get(DIRECTORY, {"branch": world.plant.pk})) == {"prod_head", "w1_lead", "w1_worker", "w2_worker"}
    assert listed_keys(world, client.get(DIRECTORY, {"position": world.worker_position.pk})) == {"w1_worker", "w2_worker"}
    assert listed_keys(world, client.get(DIRECTORY, {"status": "on_leave"})) == {"w2_worker"}
    assert listed_keys(world, client.get(DIRECTORY, {"employment_type": "intern"})) == {"sales_rep"}
    combined = client.get(DIRECTORY, {"branch": world.plant.pk, "position": world.worker_position.pk, "status": "active"})
    assert listed_keys(world, combined) == {"w1_worker"}


def test_filters_are_scoped_too(world, client_for):
    # Given the HRBP of the plant, when filtering by the HQ sales department, nobody is listed.
    response = client_for("hrbp").get(DIRECTORY, {"department": world.sales.pk})
    assert listed_keys(world, response) == set()


@pytest.mark.parametrize("params", [{"department": "abc"}, {"branch": "999999"}, {"status": "fired"}, {"page": "x"}, {"page": "999"}])
def test_invalid_filters_and_pages_do_not_fail(world, client_for, params):
    response = client_for("hr_admin").get(DIRECTORY, params)
    assert response.status_code == 200
    assert listed_keys(world, response)  # the filter is dropped or the last page shown, never an error


def test_department_options_are_indented_tree_order(world, client_for):
    response = client_for("hr_admin").get(DIRECTORY)
    choices = [label for value, label in response.context["form"].fields["department"].choices if value != ""]
    indent = "\u00a0\u00a0\u00a0"
    assert choices == ["总经办", f"{indent}生产部", f"{indent * 2}一车间", f"{indent * 2}二车间", f"{indent}销售部", f"{indent}人事行政部"]


def test_paging_keeps_the_filters(world, client_for, settings):
    # Given 30 more active workers in workshop 1 and a page size of 25
    settings.RENSHI_PAGE_SIZE = 25
    EmployeeFactory.create_batch(30, department=world.workshop1, status=EmployeeStatus.ACTIVE)
    client = client_for("hr_admin")
    # when the first page of workshop 1 is shown
    first = client.get(DIRECTORY, {"department": world.workshop1.pk, "status": "active"})
    # then it holds 25 of the 32 and links to page 2 with the same filters
    assert first.context["total"] == 32
    assert len(listed_keys(world, first)) == 25
    page_two_link = f"?department={world.workshop1.pk}&amp;status=active&amp;page=2"
    assert f'href="{page_two_link}"' in first.content.decode()
    # and page 2 holds the remaining 7, none repeated.
    second = client.get(DIRECTORY, {"department": world.workshop1.pk, "status": "active", "page": 2})
    assert len(listed_keys(world, second)) == 7
    assert listed_keys(world, first).isdisjoint(listed_keys(world, second))


def test_htmx_search_returns_only_the_results_fragment(world, client_for):
    response = client_for("hr_admin").get(DIRECTORY, {"q": "工人"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "people/_directory_results.html"
    assert "<html" not in content
    assert 'id="directory-filters"' not in content
    assert 'id="directory-table"' in content
    assert listed_keys(world, response) == {"w1_worker", "w2_worker"}
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(world, client_for):
    response = client_for("hr_admin").get(DIRECTORY, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()
    assert 'id="directory-filters"' in response.content.decode()


def test_full_page_has_live_search_wiring(world, client_for):
    content = client_for("hr_admin").get(DIRECTORY).content.decode()
    assert 'hx-trigger="keyup changed delay:300ms, paste delay:300ms, search"' in content
    assert 'hx-target="#directory-results"' in content
    assert 'hx-push-url="true"' in content


def _phone_cell(response, key, world):
    content = response.content.decode()
    row_start = content.index(f'data-employee-number="{world.employees[key].employee_number}"')
    cell_start = content.index("data-phone>", row_start) + len("data-phone>")
    return content[cell_start:content.index("</td>", cell_start)]


@pytest.mark.parametrize(
    "actor, masked",
    [("hr_admin", False), ("hrbp", False), ("admin", False), ("prod_head", True), ("ceo", True), ("w1_worker", False)],
)
def test_phone_is_masked_unless_allowed(world, client_for, actor, masked):
    # Given w1_worker's phone, when different roles list the directory
    phone = world.employees["w1_worker"].phone
    shown = _phone_cell(client_for(actor).get(DIRECTORY), "w1_worker", world)
    # then HR with VIEW_SENSITIVE over the plant and the worker see it, managers and executives do not.
    assert shown == (phone[:3] + "****" + phone[-4:] if masked else phone)


def test_add_button_only_for_users_who_may_change_employees(world, client_for):
    assert 'id="add-employee"' in client_for("hr_admin").get(DIRECTORY).content.decode()
    assert 'id="add-employee"' in client_for("hrbp").get(DIRECTORY).content.decode()
    assert 'id="add-employee"' not in client_for("ceo").get(DIRECTORY).content.decode()
    assert 'id="add-employee"' not in client_for("w1_worker").get(DIRECTORY).content.decode()


def _add_employees(world, count):
    managers = [world.employees["w1_lead"], world.employees["prod_head"], None]
    for number in range(count):
        EmployeeFactory(
            department=[world.workshop1, world.workshop2, world.production][number % 3], manager=managers[number % 3],
            position=world.worker_position if number % 2 else None, hire_date=date(2023, 1, 1),
        )


def _queries(client, params, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DIRECTORY, params, **headers)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("actor", ["hr_admin", "hrbp", "prod_head", "w1_worker", "admin"])
@pytest.mark.parametrize(
    "params, headers",
    [({}, {}), ({"q": "员工", "department": "production"}, {}), ({"status": "active"}, {"HTTP_HX_REQUEST": "true"})],
)
def test_query_count_does_not_grow_with_employees(world, client_for, django_assert_max_num_queries, actor, params, headers):
    # Given a directory of 5 extra employees, then of 60
    if params.get("department") == "production":
        params = {**params, "department": world.production.pk}
    client = client_for(actor)
    _add_employees(world, 5)
    client.get(DIRECTORY)  # warm-up: session and caches
    with django_assert_max_num_queries(12):
        client.get(DIRECTORY, params, **headers)
    small = _queries(client, params, **headers)
    _add_employees(world, 55)
    large = _queries(client, params, **headers)
    # then listing costs the same, small number of queries.
    assert small == large
    assert small <= 12


def test_users_without_sensitive_access_cost_no_masking_query(world, client_for):
    # prod_head has no VIEW_SENSITIVE: masking needs no query, so one fewer than HR's page.
    _add_employees(world, 10)
    manager_client, hr_client = client_for("prod_head"), client_for("hrbp")
    manager_client.get(DIRECTORY)
    hr_client.get(DIRECTORY)
    assert _queries(manager_client, {}) == _queries(hr_client, {}) - 1


def test_htmx_pushes_a_tidy_url(world, client_for):
    # Given a live search sent with every (mostly empty) filter field
    params = {"q": "工人", "department": "", "branch": "", "position": "", "status": "active", "employment_type": ""}
    response = client_for("hr_admin").get(DIRECTORY, params, HTTP_HX_REQUEST="true")
    # then the address bar gets only the filters that are set.
    assert response["HX-Push-Url"] == "/people/?q=%E5%B7%A5%E4%BA%BA&status=active"
    assert response.context["directory_querystring"] == "q=%E5%B7%A5%E4%BA%BA&status=active"


def test_filter_options_are_grouped_by_company_for_users_of_several(world, client_for):
    content = client_for("admin").get(DIRECTORY, {"department": world.other_root.pk}).content.decode()
    assert '<optgroup label="ACME制造">' in content
    assert f'<option value="{world.other_root.pk}" selected>别家总部</option>' in content
    assert listed_keys(world, client_for("admin").get(DIRECTORY, {"department": world.other_root.pk})) == {"other_hr", "other_worker"}
