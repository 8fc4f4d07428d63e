from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Branch, Staff, UserProfile


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "city")
    search_fields = ("code", "name", "city")


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("staff_no", "name", "branch", "role", "status", "has_id_number")
    list_filter = ("role", "status")
    search_fields = ("staff_no", "name")
    raw_id_fields = ("branch",)
    # Personal data: not shown at all, not even masked (the mask lives in customers, a layer above):
    # the page says only whether the staff file gave one. It comes only from the staff file.
    exclude = ("id_number",)
    readonly_fields = ("has_id_number",)

    @admin.display(description=_("ID number on file"), boolean=True)
    def has_id_number(self, obj) -> bool:
        return bool(obj.id_number)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "staff", "branch")
    list_filter = ("role",)
    raw_id_fields = ("staff", "branch")
