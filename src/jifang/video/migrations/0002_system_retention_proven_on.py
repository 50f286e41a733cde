from django.db import migrations, models
from django.utils import timezone


def fill(apps, schema_editor):
    SystemRetention = apps.get_model("video", "SystemRetention")
    for row in SystemRetention.objects.all():
        row.proven_on = timezone.localdate(row.proven_at)
        row.save(update_fields=["proven_on"])


class Migration(migrations.Migration):
    """A proof's local date, which findings cite (filled from the time of proof)."""

    dependencies = [
        ("video", "0001_video_networking"),
    ]

    operations = [
        migrations.AddField(
            model_name="systemretention",
            name="proven_on",
            field=models.DateField(null=True, verbose_name="date of proof"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="systemretention",
            name="proven_on",
            field=models.DateField(help_text="local date of the proof, as findings cite it", verbose_name="date of proof"),
        ),
        migrations.AlterField(
            model_name="systemretention",
            name="proven_at",
            field=models.DateTimeField(verbose_name="time of proof"),
        ),
    ]
