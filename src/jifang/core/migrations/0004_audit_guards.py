"""Triggers refusing UPDATE and DELETE of the audit log and its checkpoints (core.guards)."""
from django.db import migrations

from jifang.core import guards


def install(apps, schema_editor):
    guards.install(schema_editor.connection, guards.core_guards(schema_editor.connection.vendor))


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_checkpoints")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
