"""The holiday calendar now belongs to catalog (catalog 0002 took over its tables); only the state goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sms_templates", "0004_sms_event_choices"),
        ("catalog", "0002_holiday_moved_from_sms_templates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalHoliday"),
                migrations.DeleteModel(name="Holiday"),
            ],
            database_operations=[],
        ),
    ]
