import pytest

from hris.accounts.roles import Capability
from hris.people.selectors import employees_visible_to
from hris.tests.world import CHANGEABLE_EMPLOYEES, VISIBLE_EMPLOYEES


def _keys(world, queryset) -> set[str]:  # noqa: ANN001
    by_id = {employee.pk: key for key, employee in world.employees.items()}
    return {by_id[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_each_role_sees_exactly_its_scope(world, actor):  # noqa: ANN001
    # Given the world's grants, when an actor lists employees, then exactly its scope comes back.
    assert _keys(world, employees_visible_to(world.user(actor))) == VISIBLE_EMPLOYEES[actor]


@pytest.mark.parametrize("actor", sorted(CHANGEABLE_EMPLOYEES))
def test_each_role_may_change_exactly_its_scope(world, actor):  # noqa: ANN001
    assert _keys(world, employees_visible_to(world.user(actor), Capability.CHANGE_EMPLOYEES)) == CHANGEABLE_EMPLOYEES[actor]
