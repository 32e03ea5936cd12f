from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_finding_dashboard_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="findingimport",
            name="progress_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Last sign of life: queued again by the sweeper, claimed by a worker, or progress saved.",
                null=True,
            ),
        ),
    ]
