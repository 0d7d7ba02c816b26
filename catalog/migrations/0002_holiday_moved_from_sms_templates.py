"""The working-day calendar moves from sms_templates to catalog, keeping its rows, history and permissions.

The model state is created here over the existing tables (no database change), the tables are then
renamed to catalog's names, and the content types are relabelled in place so that permissions granted
on the holiday calendar stay attached. sms_templates 0005 drops its state of the two models.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MOVED = ("holiday", "historicalholiday")


def relabel_content_types(apps, schema_editor, source="sms_templates", target="catalog"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def restore_content_types(apps, schema_editor):
    relabel_content_types(apps, schema_editor, source="catalog", target="sms_templates")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("sms_templates", "0004_sms_event_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Holiday",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(error_messages={"unique": "该日期已在节假日日历中。"}, unique=True, verbose_name="日期")),
                        ("name", models.CharField(help_text="如 国庆节、春节调休上班。", max_length=40, verbose_name="名称")),
                        ("is_workday_override", models.BooleanField(default=False, help_text="勾选表示该日（通常是周末）调休上班，按工作日计算；不勾选表示该日放假。", verbose_name="调休上班")),
                    ],
                    options={
                        "verbose_name": "节假日",
                        "verbose_name_plural": "节假日日历",
                        "ordering": ["-date"],
                        "db_table": "sms_templates_holiday",
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalHoliday",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("date", models.DateField(db_index=True, error_messages={"unique": "该日期已在节假日日历中。"}, verbose_name="日期")),
                        ("name", models.CharField(help_text="如 国庆节、春节调休上班。", max_length=40, verbose_name="名称")),
                        ("is_workday_override", models.BooleanField(default=False, help_text="勾选表示该日（通常是周末）调休上班，按工作日计算；不勾选表示该日放假。", verbose_name="调休上班")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "historical 节假日",
                        "verbose_name_plural": "historical 节假日日历",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "db_table": "sms_templates_historicalholiday",
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="holiday", table=None),
        migrations.AlterModelTable(name="historicalholiday", table=None),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
