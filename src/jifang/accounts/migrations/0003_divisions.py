"""Kunming 530100 and its 14 county-level divisions: part of the schema, present everywhere."""
from django.db import migrations


def load(apps, schema_editor):
    from jifang.core.divisions import CITY_CODE, CITY_NAME, DISTRICTS, DISTRICTS_EN

    Division = apps.get_model("accounts", "Division")
    Division.objects.update_or_create(code=CITY_CODE, defaults={"name": CITY_NAME, "name_en": "Kunming"})
    for code, name in DISTRICTS.items():
        Division.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": DISTRICTS_EN[code], "parent_id": CITY_CODE}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
