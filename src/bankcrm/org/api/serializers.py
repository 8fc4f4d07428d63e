from rest_framework import serializers

from bankcrm.org.models import Branch, Staff


class BranchSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Branch
        fields = ["code", "name", "parent_code", "city"]
        read_only_fields = fields


class StaffSerializer(serializers.ModelSerializer):
    branch_code = serializers.CharField(source="branch_id", read_only=True)

    class Meta:
        model = Staff
        fields = ["staff_no", "name", "branch_code", "role", "status"]
        read_only_fields = fields
