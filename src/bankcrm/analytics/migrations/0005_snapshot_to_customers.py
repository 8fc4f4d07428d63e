"""CustomerMonth moved to customers (customers 0005 took it over with its table): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0004_work_queue_moves'),
        ('customers', '0005_snapshot_to_customers'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CustomerMonth')],
            database_operations=[],
        ),
    ]
