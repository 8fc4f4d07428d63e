from django.contrib import admin

from .models import Branch, Staff, UserProfile


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "city")
    search_fields = ("code", "name", "city")


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("staff_no", "name", "branch", "role", "status")
    list_filter = ("role", "status")
    search_fields = ("staff_no", "name")
    raw_id_fields = ("branch",)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "staff", "branch")
    list_filter = ("role",)
    raw_id_fields = ("staff", "branch")
