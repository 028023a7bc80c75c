from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hris.accounts.models import RoleAssignment, User


@admin.register(User)
class RenshiUserAdmin(UserAdmin):
    list_display = ("username", "email", "is_active", "is_superuser", "is_service_account")
    fieldsets = (*UserAdmin.fieldsets, ("Renshi", {"fields": ("is_service_account",)}))


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "scope_type", "company", "branch", "department")
    list_filter = ("role", "scope_type", "company")
    raw_id_fields = ("user", "department", "branch")
