from django.contrib import admin

from hris.org.models import Branch, Company, Department, Position

admin.site.register(Company)
admin.site.register(Branch)
admin.site.register(Position)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "company", "branch", "is_active", "path")
    list_filter = ("company", "is_active")
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth", "numchild")
