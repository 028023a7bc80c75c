from django.contrib import admin

from hris.people.models import Contract, Employee, EmploymentEvent


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ("employee_number", "name", "department", "position", "status")
    list_filter = ("company", "status", "employment_type")
    search_fields = ("employee_number", "name")
    raw_id_fields = ("user", "department", "position", "manager")
    exclude = ("id_number_encrypted", "id_number_digest")


admin.site.register(Contract)
admin.site.register(EmploymentEvent)
