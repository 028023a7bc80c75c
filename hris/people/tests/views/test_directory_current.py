"""The directory lists current employees by default; former ones on request."""

from datetime import date

from django.urls import reverse

from hris.people.services import employee_terminate


def _numbers(response) -> set[str]:  # noqa: ANN001
    return {employee.employee_number for employee in response.context["page"].object_list}


def test_former_employees_are_hidden_unless_asked_for(world, client):  # noqa: ANN001
    leaver = world.employee("sales_rep")
    employee_terminate(actor=world.user("hr_admin"), employee=leaver, effective_date=date(2026, 10, 31), reason="合同到期不续签")
    client.force_login(world.user("hr_admin"))
    url = reverse("people:directory")

    current = client.get(url)
    everyone = client.get(url, {"status": "all"})
    former = client.get(url, {"status": "terminated"})

    assert current.context["total"] == 10 and leaver.employee_number not in _numbers(current)
    assert everyone.context["total"] == 11 and leaver.employee_number in _numbers(everyone)
    assert _numbers(former) == {leaver.employee_number}
