"""factory_boy factories for the core models (tests build data with these, not fixture files)."""

from datetime import date

import factory

from hris.accounts.models import RoleAssignment, User
from hris.org.models import Branch, Company, Department, Position
from hris.people.models import Employee


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda number: f"测试公司{number}有限公司")
    code = factory.Sequence(lambda number: f"company-{number}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda number: f"分公司{number}")
    code = factory.Sequence(lambda number: f"branch-{number}")
    city = "上海"


def make_department(
    *, company: Company, name: str, code: str, parent: Department | None = None, branch: Branch | None = None
) -> Department:
    """Tree nodes must be created through treebeard, so no factory here."""
    fields = {"company": company, "name": name, "code": code, "branch": branch}
    if parent is None:
        return Department.objects.add_root(fields)
    return Department.objects.add_child(Department.objects.get(pk=parent.pk), fields)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda number: f"position-{number}")
    title = factory.Sequence(lambda number: f"职位{number}")
    job_family = "production"
    level = "P3"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda number: f"user{number}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", "Renshi-Test-2026")

    @factory.post_generation
    def _persist_password(self, create, extracted, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if create:
            self.save()


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    company = factory.SelfAttribute("department.company")
    employee_number = factory.Sequence(lambda number: f"E{number:06d}")
    name = factory.Sequence(lambda number: f"员工{number}")
    hire_date = date(2022, 3, 1)
    phone = factory.Sequence(lambda number: f"138{number:08d}")
    email = factory.Sequence(lambda number: f"employee{number}@example.cn")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment
