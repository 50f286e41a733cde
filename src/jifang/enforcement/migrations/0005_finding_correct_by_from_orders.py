"""Copy each ordered finding's time limit onto it (Finding.correct_by), for orders issued before
the engine read it: the latest order covering the finding."""
from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_deadlines(apps, schema_editor):
    Finding = apps.get_model("regulation", "Finding")
    OrderItem = apps.get_model("enforcement", "OrderItem")
    latest = OrderItem.objects.filter(finding_id=OuterRef("pk")).order_by("-order_id").values("order__deadline")[:1]
    Finding.objects.filter(correct_by__isnull=True, pk__in=OrderItem.objects.values("finding_id")).update(
        correct_by=Subquery(latest))


class Migration(migrations.Migration):

    dependencies = [
        ("enforcement", "0004_sealed_record_guards"),
        ("regulation", "0006_finding_correct_by_recurrence_of"),
    ]

    operations = [migrations.RunPython(copy_deadlines, migrations.RunPython.noop)]
