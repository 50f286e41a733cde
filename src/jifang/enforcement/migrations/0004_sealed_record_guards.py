"""Triggers refusing UPDATE and DELETE of signed enforcement records (enforcement.guards)."""
from django.db import migrations


def install(apps, schema_editor):
    from jifang.core import guards
    from jifang.enforcement.guards import enforcement_guards

    guards.install(schema_editor.connection, enforcement_guards(schema_editor.connection.vendor))


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0003_penalty_decisions_as_records_and_key_enrolment")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
