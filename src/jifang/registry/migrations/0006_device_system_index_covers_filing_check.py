# The devices' index on their system becomes (system, kind, status): it serves every lookup by system as
# before and lets the filing check (national.dbview) count cameras and find recorders from the index.
# The single-column index is dropped by name rather than by AlterField, which on SQLite would copy the
# million-row table to change nothing but the index.

import django.db.models.deletion
from django.db import migrations, models

SYSTEM_INDEX = "registry_device_system_id_b12e37d3"  # Django's name for the ForeignKey's own index
NEW_INDEX = "registry_de_system__21a644_idx"


def planner_statistics(apps, schema_editor):
    """SQLite's planner knows an index only after ANALYZE (sqlite_stat1): without it, it guessed the new
    index selective and drove every join of devices to systems through it, twice as slow as a scan.
    PostgreSQL plans from column statistics, which the index does not change."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"ANALYZE {NEW_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_divisions'),
        ('registry', '0005_order799_registry_facts'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='device',
            index=models.Index(fields=['system', 'kind', 'status'], name=NEW_INDEX),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='device',
                    name='system',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='devices', to='registry.securitysystem', verbose_name='system'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f"DROP INDEX IF EXISTS {SYSTEM_INDEX}",
                                  reverse_sql=f'CREATE INDEX {SYSTEM_INDEX} ON "registry_device" ("system_id")'),
            ],
        ),
        migrations.RunPython(planner_statistics, migrations.RunPython.noop),
    ]
