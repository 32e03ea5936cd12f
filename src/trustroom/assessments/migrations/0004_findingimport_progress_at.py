from django.db import migrations, models


class Migration(migrations.Migration):
    # 0002 (imports) and 0003 (dashboard indexes) both follow 0001; this joins them.
    dependencies = [
        ("assessments", "0002_finding_imports"),
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
