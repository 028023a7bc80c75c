"""`python manage.py seed_demo`: load the demo company 江南精工 (about 500 employees)."""

from django.core.management.base import BaseCommand, CommandError

from hris.people.demo.logins import demo_logins, format_table
from hris.people.demo.seeding import SeedConflict, demo_company, seed_demo_company
from hris.people.demo.structure import COMPANY_CODE, RANDOM_SEED


class Command(BaseCommand):
    help = (
        "Load the demo company 江南精工机械制造有限公司 (code jnjg): two branches, eight functional departments, "
        "about 500 employees with contracts and history, and one demo login per role. Safe to run again: "
        "an existing demo company is left as it is. For a fresh demo, start from an empty database (make clean)."
    )

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--seed", type=int, default=RANDOM_SEED, help="Random seed (same seed, same people).")
        parser.add_argument("--show-logins", action="store_true", help="Print the demo logins afterwards.")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        existing = demo_company()
        if existing is not None:
            self.stdout.write(f"Demo company {existing.name} ({COMPANY_CODE}) is already seeded; nothing to do.")
            return
        self.stdout.write("Seeding the demo company …")
        try:
            result = seed_demo_company(seed=options["seed"], log=self.stdout.write)
        except SeedConflict as error:
            raise CommandError(str(error)) from error
        if result is None:  # another process seeded it in the meantime
            self.stdout.write(f"Demo company ({COMPANY_CODE}) is already seeded; nothing to do.")
            return
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.company.name} ({COMPANY_CODE}): {counts['employees']} employees "
                f"({counts['current_employees']} current), {counts['departments']} departments, {counts['contracts']} contracts, "
                f"{counts['users']} users in {result.seconds:.1f} s."
            )
        )
        from hris.kpi.demo import seed_kpi_demo

        self.stdout.write("Seeding KPI cycles and metric data …")
        kpi = seed_kpi_demo(result.company, seed=options["seed"], log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Seeded {kpi['cycles']} KPI cycles with {kpi['assessments']} assessments."))
        if options["show_logins"]:
            self.stdout.write(format_table(demo_logins()))
