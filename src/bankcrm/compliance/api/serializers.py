from rest_framework import serializers

from bankcrm.core.models import AccessLog


class AccessLogSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user_name", read_only=True)

    class Meta:
        model = AccessLog
        fields = ["id", "time", "user", "action", "customer_no", "fields", "reason", "path", "remote_addr", "detail"]
        read_only_fields = fields
