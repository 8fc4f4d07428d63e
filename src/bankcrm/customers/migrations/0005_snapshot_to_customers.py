"""The customer_month snapshot is stored with the customers (issue 9): its table and rows stay;
state only, and analytics 0005 forgets its copy."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_work_queue_moves'),
        ('analytics', '0004_work_queue_moves'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CustomerMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.CharField(max_length=7, verbose_name='month')),
                        ('as_of', models.DateField(verbose_name='as of')),
                        ('branch_code', models.CharField(db_index=True, max_length=20, verbose_name='branch')),
                        ('rm_staff_no', models.CharField(blank=True, db_index=True, max_length=20, verbose_name='relationship manager')),
                        ('days', models.PositiveSmallIntegerField(verbose_name='days')),
                        ('aum_avg', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='AUM daily average')),
                        ('aum_end', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='AUM at as-of')),
                        ('deposit_avg', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='deposit daily average')),
                        ('loan_end', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='loans at as-of')),
                        ('tier', models.CharField(choices=[('mass', '大众'), ('vip', '贵宾'), ('wealth', '财富'), ('private', '私行')], max_length=10, verbose_name='tier')),
                        ('prev_tier', models.CharField(blank=True, choices=[('mass', '大众'), ('vip', '贵宾'), ('wealth', '财富'), ('private', '私行')], max_length=10, verbose_name='previous tier')),
                        ('migration', models.CharField(choices=[('new', '新增'), ('up', '升级'), ('down', '降级'), ('same', '持平')], max_length=5, verbose_name='migration')),
                        ('categories_held', models.PositiveSmallIntegerField(verbose_name='categories held')),
                        ('cross_sell_qualified', models.BooleanField(verbose_name='cross-sell qualified')),
                        ('dormant', models.BooleanField(verbose_name='dormant')),
                        ('dormant_potential', models.BooleanField(verbose_name='dormant with potential')),
                        ('edge', models.BooleanField(verbose_name='edge')),
                        ('downgraded', models.BooleanField(verbose_name='downgraded')),
                        ('maturing', models.BooleanField(verbose_name='maturing')),
                        ('kyc_expiring', models.BooleanField(verbose_name='KYC expiring')),
                        ('customer', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='months', to='customers.customer', verbose_name='customer')),
                    ],
                    options={
                        'verbose_name': 'customer month',
                        'verbose_name_plural': 'customer months',
                        'db_table': 'analytics_customermonth',
                        'ordering': ['month', 'customer'],
                        'indexes': [models.Index(fields=['month', 'branch_code', 'tier'], name='analytics_c_month_02bd7f_idx'), models.Index(fields=['customer', 'month'], name='analytics_c_custome_118de3_idx')],
                        'constraints': [models.UniqueConstraint(fields=('month', 'customer'), name='customer_month_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
