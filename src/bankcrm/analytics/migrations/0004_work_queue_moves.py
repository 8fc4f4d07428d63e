"""ListItem moved to campaigns (campaigns 0002 took it over with its table): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0003_list_item_as_of_index'),
        ('customers', '0004_work_queue_moves'),
        ('campaigns', '0002_work_queue_moves'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ListItem')],
            database_operations=[],
        ),
    ]
