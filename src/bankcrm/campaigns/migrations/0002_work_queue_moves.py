"""The work queue moves from analytics and customers to campaigns (issue 9): ListItem and ContactLog
keep their tables (analytics_listitem, customers_contactlog) and rows — state only here, and
analytics 0004 / customers 0004 forget their copies. ListItemEvent is new."""

import django.db.models.deletion
from django.db import migrations, models


def move_change_history(apps, schema_editor):
    """The change log keeps pointing at the moved models: their content types follow them.

    ObjectChange rows reference a ContentType (PROTECT). Renaming the old type's app label keeps
    every history row attached; if the new type already exists (a post_migrate ran in between), the
    rows are repointed to it instead.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    ObjectChange = apps.get_model("core", "ObjectChange")
    for old_app, model in (("analytics", "listitem"), ("customers", "contactlog")):
        old = ContentType.objects.filter(app_label=old_app, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label="campaigns", model=model).first()
        if new is None:
            old.app_label = "campaigns"
            old.save(update_fields=["app_label"])
        else:
            ObjectChange.objects.filter(content_type=old).update(content_type=new)


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0001_initial'),
        ('analytics', '0003_list_item_as_of_index'),
        ('customers', '0003_source_date'),
        ('org', '0003_userprofile_change_logged'),
        ('core', '0002_accesslog_from_compliance'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ListItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, null=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, null=True, verbose_name='last updated')),
                        ('kind', models.CharField(choices=[('edge', '边缘目标客户'), ('downgraded', '降级客户挽回'), ('dormant_potential', '潜力睡眠户激活'), ('maturing', '理财产品到账客户'), ('kyc_expiring', '风险评估到期'), ('unassigned', '未归户客户')], max_length=20, verbose_name='list')),
                        ('as_of', models.DateField(verbose_name='as of')),
                        ('rank', models.PositiveIntegerField(verbose_name='rank')),
                        ('branch_code', models.CharField(max_length=20, verbose_name='branch')),
                        ('assignee', models.CharField(db_index=True, max_length=40, verbose_name='assignee')),
                        ('aum_avg', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='AUM daily average')),
                        ('tier', models.CharField(choices=[('mass', '大众'), ('vip', '贵宾'), ('wealth', '财富'), ('private', '私行')], max_length=10, verbose_name='tier')),
                        ('detail', models.CharField(blank=True, max_length=200, verbose_name='detail')),
                        ('status', models.CharField(choices=[('pending', '待跟进'), ('contacted', '已联系'), ('converted', '已转化'), ('declined', '已拒绝')], default='pending', max_length=10, verbose_name='status')),
                        ('status_changed', models.DateTimeField(blank=True, null=True, verbose_name='status changed')),
                        ('customer', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='list_items', to='customers.customer', verbose_name='customer')),
                    ],
                    options={
                        'verbose_name': 'list item',
                        'verbose_name_plural': 'list items',
                        'db_table': 'analytics_listitem',
                        'ordering': ['kind', 'as_of', 'rank'],
                    },
                ),
                migrations.CreateModel(
                    name='ContactLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, null=True, verbose_name='created')),
                        ('last_updated', models.DateTimeField(auto_now=True, null=True, verbose_name='last updated')),
                        ('user_name', models.CharField(max_length=150, verbose_name='entered by')),
                        ('contacted_at', models.DateTimeField(db_index=True, verbose_name='contacted at')),
                        ('channel', models.CharField(choices=[('phone', '电话'), ('visit', '上门拜访'), ('branch', '网点面谈'), ('wechat', '企业微信'), ('sms', '短信'), ('other', '其他')], max_length=10, verbose_name='channel')),
                        ('outcome', models.CharField(choices=[('reached', '已联系'), ('no_answer', '未接通'), ('interested', '有意向'), ('converted', '已成交'), ('declined', '拒绝'), ('callback', '约定回访')], max_length=12, verbose_name='outcome')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('next_follow_up', models.DateField(blank=True, db_index=True, null=True, verbose_name='next follow-up')),
                        ('confidential', models.BooleanField(default=False, verbose_name='confidential')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='customers.customer', verbose_name='customer')),
                        ('staff', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contacts', to='org.staff', verbose_name='staff member')),
                        ('list_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contacts', to='campaigns.listitem', verbose_name='list item')),
                    ],
                    options={
                        'verbose_name': 'contact',
                        'verbose_name_plural': 'contact log',
                        'db_table': 'customers_contactlog',
                        'ordering': ['-contacted_at', '-pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='listitem',
                    index=models.Index(fields=['assignee', 'status'], name='analytics_l_assigne_10f08e_idx'),
                ),
                migrations.AddIndex(
                    model_name='listitem',
                    index=models.Index(fields=['branch_code', 'kind', 'as_of'], name='analytics_l_branch__7032b2_idx'),
                ),
                migrations.AddIndex(
                    model_name='listitem',
                    index=models.Index(fields=['as_of', 'kind', 'rank'], name='analytics_l_as_of_a0ea7d_idx'),
                ),
                migrations.AddConstraint(
                    model_name='listitem',
                    constraint=models.UniqueConstraint(fields=('kind', 'as_of', 'customer'), name='list_item_unique'),
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name='ListItemEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('time', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='time')),
                ('user_name', models.CharField(max_length=150, verbose_name='user')),
                ('kind', models.CharField(choices=[('status', 'status changed'), ('reassigned', 'reassigned')], max_length=12, verbose_name='event')),
                ('from_value', models.CharField(blank=True, max_length=40, verbose_name='from')),
                ('to_value', models.CharField(blank=True, max_length=40, verbose_name='to')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='campaigns.listitem', verbose_name='list item')),
            ],
            options={
                'verbose_name': 'list item event',
                'verbose_name_plural': 'list item events',
                'ordering': ['time', 'pk'],
            },
        ),
        migrations.RunPython(move_change_history, migrations.RunPython.noop),
    ]
