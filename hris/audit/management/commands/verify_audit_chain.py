from django.core.management.base import BaseCommand, CommandError

from hris.audit.verification import verify_audit_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; exit non-zero at the first altered, inserted or deleted row."

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        report = verify_audit_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
            return
        raise CommandError(
            f"Audit chain BROKEN at sequence {report.sequence}: {report.problem}. "
            f"{report.checked} events verified before it."
        )
