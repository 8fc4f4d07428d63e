"""AccessLog moves from compliance to core (issue 9): the table and its rows stay where they are.

State only: compliance 0001 created ``compliance_accesslog``; from here core owns the model with
``db_table`` pointing at it, and compliance 0002 forgets it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("compliance", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("time", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="time")),
                        ("user_name", models.CharField(db_index=True, max_length=150, verbose_name="user")),
                        (
                            "action",
                            models.CharField(
                                choices=[("view", "查看"), ("reveal", "显示完整信息"), ("search", "搜索"), ("export", "导出")],
                                max_length=10,
                                verbose_name="action",
                            ),
                        ),
                        ("customer_no", models.CharField(blank=True, db_index=True, max_length=30, verbose_name="customer no.")),
                        ("fields", models.CharField(blank=True, max_length=200, verbose_name="fields revealed")),
                        ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                        ("path", models.CharField(blank=True, max_length=300, verbose_name="page or endpoint")),
                        ("remote_addr", models.CharField(blank=True, max_length=64, verbose_name="from")),
                        ("request_id", models.UUIDField(blank=True, null=True, verbose_name="request id")),
                        ("detail", models.CharField(blank=True, max_length=300, verbose_name="detail")),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "access log entry",
                        "verbose_name_plural": "access log",
                        "ordering": ["-time", "-pk"],
                        "db_table": "compliance_accesslog",
                        "indexes": [
                            models.Index(fields=["customer_no", "time"], name="compliance__custome_062fe1_idx"),
                            models.Index(fields=["user_name", "time"], name="compliance__user_na_fdf648_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
