from django.contrib import admin

from .models import BonusBase, Coefficient, RedLine, Target, Weight


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("period", "unit", "indicator", "basis", "target", "warning")
    list_filter = ("period", "basis")
    search_fields = ("unit", "indicator")


@admin.register(Weight)
class WeightAdmin(admin.ModelAdmin):
    list_display = ("period", "level", "indicator", "basis", "weight", "cap_pct")
    list_filter = ("period", "level")


@admin.register(Coefficient)
class CoefficientAdmin(admin.ModelAdmin):
    list_display = ("period", "level", "min_score", "coefficient")
    list_filter = ("period", "level")


@admin.register(BonusBase)
class BonusBaseAdmin(admin.ModelAdmin):
    list_display = ("period", "unit", "bonus_base")
    list_filter = ("period",)
    search_fields = ("unit",)


@admin.register(RedLine)
class RedLineAdmin(admin.ModelAdmin):
    list_display = ("date", "staff", "code", "note", "recorded_by")
    list_filter = ("code",)
    search_fields = ("staff__staff_no", "staff__name")
    readonly_fields = ("recorded_by",)
