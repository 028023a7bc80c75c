"""`python manage.py demo_logins`: the demo accounts, their roles and scopes."""

from django.core.management.base import BaseCommand

from hris.accounts.models import RoleAssignment
from hris.accounts.roles import Role
from hris.people.demo.logins import demo_logins, format_table
from hris.people.demo.seeding import demo_company
from hris.people.demo.structure import DEMO_PASSWORD


class Command(BaseCommand):
    help = "List the demo logins (role, username, password, employee, department, scope)."

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        company = demo_company()
        if company is None:
            self.stdout.write("The demo company is not loaded yet: run `python manage.py seed_demo` (or `make demo`).")
            return
        self.stdout.write(f"Demo logins for {company.name} — password for all: {DEMO_PASSWORD}")
        self.stdout.write(format_table(demo_logins()))
        head = (
            RoleAssignment.objects.filter(company=company, role=Role.DEPARTMENT_MANAGER, user__username__startswith="e")
            .select_related("user__employee", "department").order_by("department__path").first()
        )
        if head is not None:
            self.stdout.write(
                f"Every other department head logs in with their employee number and the same password, "
                f"e.g. {head.user.username} ({head.user.employee.name}, head of {head.department.name})."
            )
