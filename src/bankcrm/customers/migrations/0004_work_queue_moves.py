"""ContactLog moved to campaigns (campaigns 0002 took it over with its table): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0003_source_date'),
        ('campaigns', '0002_work_queue_moves'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ContactLog')],
            database_operations=[],
        ),
    ]
