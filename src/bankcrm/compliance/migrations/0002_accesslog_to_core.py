"""AccessLog now belongs to core (core 0002); the table stays (state only)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("core", "0002_accesslog_from_compliance"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AccessLog")], database_operations=[]),
    ]
